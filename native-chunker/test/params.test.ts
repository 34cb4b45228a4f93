import { describe, expect, it } from 'vitest';
import { createChunker } from '../src/chunker.ts';
import { ChunkerError } from '../src/errors.ts';
import { DEFAULT_PARAMS, resolveParams } from '../src/params.ts';

describe('chunk parameters', () => {
  it('defaults are 256 KiB / 1 MiB / 4 MiB with 22- and 18-bit masks', () => {
    expect(DEFAULT_PARAMS).toEqual({ minSize: 262144, avgSize: 1048576, maxSize: 4194304 });
    const r = resolveParams();
    expect(r.maskS.toString(2)).toBe('1'.repeat(22) + '0'.repeat(10));
    expect(r.maskL.toString(2)).toBe('1'.repeat(18) + '0'.repeat(14));
  });
  it('partial params merge over the defaults', () => {
    expect(resolveParams({ maxSize: 8 << 20 })).toMatchObject({
      minSize: 262144,
      avgSize: 1048576,
      maxSize: 8 << 20,
    });
  });
  const bad = [
    { minSize: 32 },
    { minSize: 0 },
    { minSize: 1.5 },
    { avgSize: 3 << 18 },
    { minSize: 2 << 20 },
    { maxSize: 1 << 19 },
    { maxSize: 512 << 20, avgSize: 1 << 20 },
    { avgSize: Number.NaN },
    { avgSize: 2 ** 29, maxSize: 2 ** 29 },
  ];
  it.each(bad)('rejects %j with invalid_params', (p) => {
    expect(() => createChunker(p)).toThrow(ChunkerError);
    expect(() => resolveParams(p)).toThrow(expect.objectContaining({ code: 'invalid_params' }));
  });
  it('a push after finish is a ChunkerError (internal: a caller bug)', () => {
    const c = createChunker();
    c.finish();
    expect(() => c.push(new Uint8Array(10))).toThrow(ChunkerError);
    expect(() => c.push(new Uint8Array(10))).toThrow(expect.objectContaining({ code: 'internal' }));
  });
});
