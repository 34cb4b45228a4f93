// PendingBlocks: what a commit waits for before it may name a block.
import { describe, expect, it } from 'vitest';
import { PendingBlocks } from './pending-blocks.ts';

/** A promise with its resolve/reject exposed. */
function deferred(): { p: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const p = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { p, resolve, reject };
}

describe('PendingBlocks', () => {
  it('settle waits for the pending uploads of the named hashes of that account only', async () => {
    const errors: string[] = [];
    const pb = new PendingBlocks((_e, h) => errors.push(h));
    const a = deferred();
    const other = deferred();
    pb.track('acct1', 'h1', () => a.p);
    pb.track('acct2', 'h1', () => other.p);
    expect(pb.size).toBe(2);
    let settled = false;
    const s = pb.settle('acct1', ['h1', 'h2', 'h1']).then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    // Another account's pending upload of the same hash is not waited for.
    await pb.settle('acct2', ['h2']);
    a.resolve();
    await s;
    expect(settled).toBe(true);
    // A failed upload settles too (the commit then finds no record): reported, never thrown.
    other.reject(new Error('disk full'));
    await pb.settle('acct2', ['h1']);
    expect(errors).toEqual(['h1']);
    expect(pb.size).toBe(0);
  });

  it('a second upload of the same block chains after the first; drain waits for everything', async () => {
    const pb = new PendingBlocks();
    const order: string[] = [];
    const first = deferred();
    pb.track('a', 'h', async () => {
      await first.p;
      order.push('first');
    });
    pb.track('a', 'h', async () => {
      order.push('second');
    });
    const drained = pb.drain().then(() => order.push('drained'));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    first.resolve();
    await drained;
    expect(order).toEqual(['first', 'second', 'drained']);
    expect(pb.size).toBe(0);
  });
});
