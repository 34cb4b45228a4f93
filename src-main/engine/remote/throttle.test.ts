import { describe, expect, it, vi } from 'vitest';
import { Throttle } from './throttle.ts';

describe('Throttle', () => {
  it('passes everything at once when unlimited', async () => {
    // Fake timers, not a wall-clock bound: with the clock frozen, a take that waited on any timer
    // would never resolve (and a loaded machine cannot make this fail).
    vi.useFakeTimers();
    try {
      const t = new Throttle(0);
      for (let i = 0; i < 100; i++) await t.take(10 * 1024 * 1024);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
  it('holds the average to the rate after a one-second burst', async () => {
    const t = new Throttle(1024 * 1024);
    const t0 = Date.now();
    for (let i = 0; i < 8; i++) await t.take(256 * 1024); // 2 MiB at 1 MiB/s, 1 MiB burst
    const took = Date.now() - t0;
    expect(took).toBeGreaterThan(850);
    expect(took).toBeLessThan(2500);
  });
  it('release() lets every waiting take pass at once (a closing client)', async () => {
    const t = new Throttle(10); // 10 bytes/s: these takes would queue for minutes
    const takes = [t.take(1000), t.take(1000), t.take(1000)];
    let passed = 0;
    for (const p of takes) void p.then(() => passed++);
    // The first take passes (a second of burst); the second then sleeps for 100 s.
    await takes[0];
    await new Promise((r) => setImmediate(r));
    expect(passed).toBe(1);
    t.release();
    await Promise.all(takes);
    expect(passed).toBe(3);
    await t.take(1_000_000); // unlimited afterwards
  });
});
