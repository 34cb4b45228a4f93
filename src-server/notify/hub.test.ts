import { expect, it } from 'vitest';
import { NotifyHub } from './hub.ts';

it('a throwing subscriber is reported and does not keep the others from hearing an advance', () => {
  const errors: unknown[] = [];
  const hub = new NotifyHub({ onListenerError: (err) => errors.push(err) });
  const heard: string[] = [];
  hub.subscribe(['n'], () => {
    throw new Error('bad subscriber');
  });
  hub.subscribe(['n'], (ns, seq) => heard.push(`${ns}@${seq}`));
  hub.subscribeMembership('acct', () => {
    throw new Error('bad membership subscriber');
  });
  hub.subscribeMembership('acct', () => heard.push('membership'));
  expect(() => hub.advance('n', 7)).not.toThrow();
  expect(() => hub.membershipChanged(['acct'])).not.toThrow();
  expect(heard).toEqual(['n@7', 'membership']);
  expect(errors.map((e) => (e as Error).message)).toEqual(['bad subscriber', 'bad membership subscriber']);
});
