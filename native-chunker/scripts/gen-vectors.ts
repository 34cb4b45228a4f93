/**
 * Writes the protocol-v1 chunking test vectors (test/vectors-v1.json) from the pure-TypeScript
 * reference scanner. Run once and check in: the file freezes cut points, so it must only be
 * regenerated deliberately (a protocol change).
 *
 *   node native-chunker/scripts/gen-vectors.ts
 */
import { writeFileSync } from 'node:fs';
import { chunkBuffer } from '../src/chunker.ts';
import { scanTs } from '../src/cutter.ts';
import { contentHash } from '../src/hash.ts';
import { DEFAULT_PARAMS, type ChunkParams } from '../src/params.ts';
import { buildStream, type StreamSpec } from '../test/streams.ts';

const MiB = 1024 * 1024;
const small: ChunkParams = { minSize: 1024, avgSize: 4096, maxSize: 16384 };
const tiny: ChunkParams = { minSize: 64, avgSize: 256, maxSize: 1024 };
const specs: Array<{ name: string; stream: StreamSpec; params: ChunkParams }> = [
  {
    name: 'random-24MiB-v1',
    stream: { kind: 'sha256ctr', seed: 'cairn-v1-vector-a', length: 24 * MiB },
    params: { ...DEFAULT_PARAMS },
  },
  { name: 'zeros-9MiB-v1', stream: { kind: 'zeros', length: 9 * MiB + 100 }, params: { ...DEFAULT_PARAMS } },
  {
    name: 'random-short-v1',
    stream: { kind: 'sha256ctr', seed: 'cairn-v1-vector-s', length: 1000 },
    params: { ...DEFAULT_PARAMS },
  },
  { name: 'empty-v1', stream: { kind: 'zeros', length: 0 }, params: { ...DEFAULT_PARAMS } },
  {
    name: 'random-1MiB-small',
    stream: { kind: 'sha256ctr', seed: 'cairn-v1-vector-b', length: MiB },
    params: small,
  },
  {
    name: 'random-64KiB-tiny',
    stream: { kind: 'sha256ctr', seed: 'cairn-v1-vector-c', length: 65536 + 123 },
    params: tiny,
  },
];

const vectors = specs.map(({ name, stream, params }) => {
  const chunks = chunkBuffer(buildStream(stream), params, scanTs);
  return {
    name,
    stream,
    params,
    contentHash: contentHash(chunks.map((c) => c.hash)),
    chunks: chunks.map((c) => [c.offset, c.length, c.hash]),
  };
});
const doc = {
  description:
    'Cairn protocol v1 FastCDC test vectors: stream (see native-chunker/test/streams.ts) + params → chunks as [offset, length, sha256]. Frozen: every implementation must reproduce them exactly.',
  vectors,
};
writeFileSync(new URL('../test/vectors-v1.json', import.meta.url), JSON.stringify(doc, null, 1) + '\n');
for (const v of vectors)
  console.log(
    v.name,
    v.chunks.length,
    'chunks',
    v.chunks
      .map((c) => c[1])
      .join(' ')
      .slice(0, 200),
  );
