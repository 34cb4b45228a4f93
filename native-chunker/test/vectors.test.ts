import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkBuffer, createChunker } from '../src/chunker.ts';
import { contentHash } from '../src/hash.ts';
import type { ChunkParams } from '../src/params.ts';
import { scanners } from './scanners.ts';
import { buildStream, type StreamSpec } from './streams.ts';

interface Vector {
  name: string;
  stream: StreamSpec;
  params: ChunkParams;
  contentHash: string;
  chunks: Array<[number, number, string]>;
}
const doc = JSON.parse(readFileSync(new URL('./vectors-v1.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
};

describe('protocol-v1 test vectors', () => {
  it('cover the interesting cases', () => {
    expect(doc.vectors.map((v) => v.name)).toEqual(
      expect.arrayContaining([
        'random-24MiB-v1',
        'zeros-9MiB-v1',
        'empty-v1',
        'random-short-v1',
        'random-64KiB-tiny',
      ]),
    );
    // The zero stream exercises the maxSize rule and a short last block.
    expect(doc.vectors.find((v) => v.name === 'zeros-9MiB-v1')!.chunks.map((c) => c[1])).toEqual([
      4194304, 4194304, 1048676,
    ]);
  });
  for (const v of doc.vectors) {
    const data = buildStream(v.stream);
    for (const [name, scan] of scanners) {
      it(`${v.name}: ${name} reproduces every cut and hash`, () => {
        const got = chunkBuffer(data, v.params, scan);
        expect(got.map((c) => [c.offset, c.length, c.hash])).toEqual(v.chunks);
        expect(contentHash(got.map((c) => c.hash))).toBe(v.contentHash);
      });
      it(`${v.name}: ${name} streaming in odd-sized pieces gives the same cuts`, () => {
        const c = createChunker(v.params, scan);
        const got = [];
        for (let pos = 0, k = 1; pos < data.length; k = (k * 7919) % 1_000_003) {
          const n = Math.min(data.length - pos, 1 + (k % (3 * v.params.avgSize)));
          got.push(...c.push(data.subarray(pos, pos + n)));
          pos += n;
        }
        got.push(...c.finish());
        expect(got.map((x) => [x.offset, x.length])).toEqual(v.chunks.map((x) => [x[0], x[1]]));
      });
    }
  }
});
