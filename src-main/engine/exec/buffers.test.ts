// BufferPool: sizes, reuse through views, and what it refuses to take back.
import { describe, expect, it } from 'vitest';
import { MAX_BLOCK_BYTES } from '../../../src-shared/protocol/limits.ts';
import { BufferPool } from './buffers.ts';

describe('BufferPool', () => {
  it('sizes in powers of two from its minimum up to the largest block', () => {
    const p = new BufferPool(64 * 1024, 4);
    expect(p.take(10).length).toBe(64 * 1024);
    expect(p.take(300_000).length).toBe(512 * 1024);
    expect(p.take(MAX_BLOCK_BYTES).length).toBe(MAX_BLOCK_BYTES);
    expect(p.take(MAX_BLOCK_BYTES + 1).length).toBe(MAX_BLOCK_BYTES + 1);
  });

  it('a view given back returns its whole buffer, the smallest that fits is taken first', () => {
    const p = new BufferPool(64 * 1024, 4);
    const small = p.take(1000);
    const big = p.take(1_000_000);
    p.give(big.subarray(0, 10));
    p.give(small.subarray(5, 20));
    expect(p.take(2000)).toBe(small);
    expect(p.take(2000)).toBe(big);
    expect(p.take(2000)).not.toBe(small);
  });

  it('keeps at most `keep` free buffers, ignores buffers not its own, and one given twice is lent once', () => {
    const p = new BufferPool(64 * 1024, 1);
    const [a, b] = [p.take(1), p.take(1)];
    p.give(a);
    p.give(b); // over the limit: left to the GC
    p.give(Buffer.allocUnsafeSlow(64 * 1024)); // not ours
    expect(p.take(1)).toBe(a);
    const c = p.take(1);
    expect(c).not.toBe(a);
    expect(c).not.toBe(b);
    const q = new BufferPool(64 * 1024, 4);
    const d = q.take(1);
    q.give(d);
    q.give(d);
    expect(q.take(1)).toBe(d);
    expect(q.take(1)).not.toBe(d);
  });
});
