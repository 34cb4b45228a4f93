/**
 * The authenticated caller of a handler, as an account or as the author of a write.
 */
import { CairnError } from '../../src-shared/index.ts';
import type { Actor, AuthContext } from '../store/metadata.ts';

/** The authenticated caller. @throws CairnError `unauthorized` when the route had no auth. */
export function me(c: { auth: AuthContext | null }): AuthContext {
  if (!c.auth) throw new CairnError('unauthorized');
  return c.auth;
}

/** The caller as the author of a write (account, device, server time). @throws `unauthorized` */
export function actor(c: { auth: AuthContext | null; now: number }): Actor {
  const a = me(c);
  return { accountId: a.accountId, deviceId: a.deviceId, now: c.now };
}
