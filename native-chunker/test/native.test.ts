/**
 * The addon's argument checks (cc/addon.cc): every number from JS is validated before it is
 * cast to an unsigned integer (a negative, NaN or infinite double cast to uint64_t is undefined
 * behaviour), and a scan state at or past maxSize is refused instead of underflowing.
 */
import { describe, expect, it } from 'vitest';
import { addon } from '../src/native.ts';
import { resolveParams } from '../src/params.ts';

const p = resolveParams({ minSize: 1024, avgSize: 4096, maxSize: 16384 });
const buf = new Uint8Array(100_000);
const call = (
  over: Partial<Record<'start' | 'end' | 'min' | 'avg' | 'max' | 'maskS' | 'maskL', number>>,
  st = [0, 0],
) =>
  addon!.scan(
    buf,
    over.start ?? 0,
    over.end ?? buf.length,
    Float64Array.from(st),
    over.min ?? p.minSize,
    over.avg ?? p.avgSize,
    over.max ?? p.maxSize,
    over.maskS ?? p.maskS,
    over.maskL ?? p.maskL,
  );

describe.skipIf(!addon)('addon argument checks', () => {
  it('valid arguments scan (the baseline of the cases below)', () => {
    expect(call({}).length).toBeGreaterThan(0);
  });
  const BAD = [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, -0.5, 2 ** 53];
  it.each(['start', 'end', 'min', 'avg', 'max', 'maskS', 'maskL'] as const)(
    '%s: non-finite, negative, fractional, huge → RangeError',
    (k) => {
      for (const v of BAD) expect(() => call({ [k]: v }), `${k} = ${v}`).toThrow(RangeError);
    },
  );
  it('masks must fit 32 bits; ranges and sizes must be ordered', () => {
    expect(() => call({ maskS: 2 ** 32 })).toThrow(RangeError);
    expect(() => call({ start: 10, end: 5 })).toThrow(RangeError);
    expect(() => call({ end: buf.length + 1 })).toThrow(RangeError);
    expect(() => call({ min: 32 })).toThrow(RangeError);
    expect(() => call({ max: 2048 })).toThrow(RangeError);
  });
  it('state: fp a uint32, len an integer below maxSize', () => {
    for (const st of [
      [Number.NaN, 0],
      [-1, 0],
      [2 ** 32, 0],
      [0, -1],
      [0, 0.5],
      [0, Number.NaN],
      [0, p.maxSize],
      [0, 2 ** 60],
    ])
      expect(() => call({}, st), `state ${st.join(',')}`).toThrow(RangeError);
    expect(() => call({}, [2 ** 32 - 1, p.maxSize - 1])).not.toThrow();
  });
  it('wrong types → TypeError', () => {
    const scan = addon!.scan as unknown as (...a: unknown[]) => unknown;
    expect(() => scan(buf, '0', 10, new Float64Array(2), 1024, 4096, 16384, 0, 0)).toThrow(TypeError);
    expect(() => scan(buf, 0, 10, new Float32Array(2), 1024, 4096, 16384, 0, 0)).toThrow(TypeError);
    expect(() => scan(buf, 0, 10)).toThrow(TypeError);
  });
});
