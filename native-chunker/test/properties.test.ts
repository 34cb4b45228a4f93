/**
 * Property tests (fast-check) of the cutter, run against every available scanner, with tiny
 * parameters so short inputs hold many chunks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChunker, type Chunk } from '../src/chunker.ts';
import type { Scanner } from '../src/cutter.ts';
import { scanTs } from '../src/cutter.ts';
import { scanNative } from '../src/native.ts';
import { prngBytes, scanners } from './scanners.ts';

const P = { minSize: 64, avgSize: 256, maxSize: 1024 };

function cutAll(data: Uint8Array, scan: Scanner, pieces: number[] = [data.length]): Chunk[] {
  const c = createChunker(P, scan);
  const out: Chunk[] = [];
  let pos = 0;
  for (const n of pieces) {
    out.push(...c.push(data.subarray(pos, Math.min(data.length, pos + n))));
    pos = Math.min(data.length, pos + n);
  }
  out.push(...c.push(data.subarray(pos)), ...c.finish());
  return out;
}

/** Arbitrary input: raw fast-check bytes (often low-entropy) or seeded high-entropy bytes. */
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 6000 }),
  fc.tuple(fc.integer(), fc.integer({ min: 0, max: 20_000 })).map(([seed, n]) => prngBytes(seed, n)),
);

describe.each(scanners)('FastCDC properties (%s)', (_name, scan) => {
  it('every chunk is within [min, max] except the last, and chunks tile the input', () => {
    fc.assert(
      fc.property(bytes, (data) => {
        const chunks = cutAll(data, scan);
        let pos = 0;
        chunks.forEach((c, i) => {
          expect(c.offset).toBe(pos);
          expect(c.length).toBeGreaterThan(0);
          expect(c.length).toBeLessThanOrEqual(P.maxSize);
          if (i < chunks.length - 1) expect(c.length).toBeGreaterThanOrEqual(P.minSize);
          pos += c.length;
        });
        expect(pos).toBe(data.length);
      }),
    );
  });

  it('the same input gives the same cuts whatever the buffer sizes it is fed in', () => {
    fc.assert(
      fc.property(bytes, fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 40 }), (data, pieces) => {
        expect(cutAll(data, scan, pieces)).toEqual(cutAll(data, scan));
      }),
    );
  });

  it('after an insertion or deletion the cuts resynchronise within 4 × maxSize', () => {
    const BOUND = 4 * P.maxSize;
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 8000, max: 30_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.integer({ min: -300, max: -1 })),
        (seed, n, where, edit) => {
          const data = prngBytes(seed, n);
          const at = Math.floor(where * (n - 300));
          const edited =
            typeof edit === 'number'
              ? Buffer.concat([data.subarray(0, at), data.subarray(at - edit)])
              : Buffer.concat([data.subarray(0, at), edit, data.subarray(at)]);
          const delta = edited.length - data.length;
          const ends = (cs: Chunk[], shift: number, from: number): number[] =>
            cs.map((c) => c.offset + c.length + shift).filter((e) => e >= from);
          // Every cut of the edited stream past the edit + BOUND is an original cut (shifted),
          // and vice versa: same blocks from there on.
          const from = at + Math.max(0, delta) + BOUND;
          if (from >= edited.length) return;
          expect(ends(cutAll(edited, scan), 0, from)).toEqual(ends(cutAll(data, scan), delta, from));
        },
      ),
    );
  });
});

describe.skipIf(!scanNative)('native and TypeScript agree', () => {
  it('on random inputs, parameters and feed sizes', () => {
    fc.assert(
      fc.property(
        bytes,
        fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 30 }),
        fc.integer({ min: 6, max: 12 }),
        (data, pieces, bits) => {
          const p = { minSize: Math.max(64, 1 << (bits - 2)), avgSize: 1 << bits, maxSize: 1 << (bits + 2) };
          const run = (s: Scanner, feed: number[]): Chunk[] => {
            const c = createChunker(p, s);
            const out: Chunk[] = [];
            let pos = 0;
            for (const k of [...feed, data.length]) {
              const e = Math.min(data.length, pos + k);
              out.push(...c.push(data.subarray(pos, e)));
              pos = e;
            }
            return [...out, ...c.finish()];
          };
          expect(run(scanNative!, pieces)).toEqual(run(scanTs, [data.length]));
        },
      ),
      { numRuns: 300 },
    );
  });
});
