import { describe, expect, it } from 'vitest';
import { Throttle } from './throttle.ts';

describe('Throttle', () => {
  it('passes everything at once when unlimited', async () => {
    const t = new Throttle(0);
    const t0 = Date.now();
    for (let i = 0; i < 100; i++) await t.take(10 * 1024 * 1024);
    expect(Date.now() - t0).toBeLessThan(50);
  });
  it('holds the average to the rate after a one-second burst', async () => {
    const t = new Throttle(1024 * 1024);
    const t0 = Date.now();
    for (let i = 0; i < 8; i++) await t.take(256 * 1024); // 2 MiB at 1 MiB/s, 1 MiB burst
    const took = Date.now() - t0;
    expect(took).toBeGreaterThan(850);
    expect(took).toBeLessThan(2500);
  });
});
