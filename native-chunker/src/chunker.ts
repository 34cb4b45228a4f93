/**
 * Streaming chunker and in-memory chunking with the fastest cutter available (the C++ addon,
 * else the pure-TypeScript one). Pure CPU work, synchronous; for files use chunkFile
 * (src/file.ts), which runs off the main thread.
 */
import { scanTs, type Scanner } from './cutter.ts';
import { hashBlock } from './hash.ts';
import { scanNative } from './native.ts';
import { resolveParams, type ChunkParams } from './params.ts';
import { chunkWhole, createStreamChunker, type Chunker, type HashedChunk } from './stream.ts';

export type { Chunk, Chunker, HashedChunk } from './stream.ts';

/** Which cutter is in use: the C++ addon, or the pure-TypeScript fallback. */
export const implementation: 'native' | 'typescript' = scanNative ? 'native' : 'typescript';

/** The scanner in use (native when the addon loaded). */
export const scan: Scanner = scanNative ?? scanTs;

/**
 * Creates a streaming FastCDC chunker. Feed buffers of any size, in stream order; chunks
 * may span buffer boundaries, and the cuts do not depend on how the stream was split.
 * The chunker keeps no data, only the scan state, so memory is O(1).
 * @throws ChunkerError `invalid_params` for out-of-range parameters (see resolveParams).
 */
export function createChunker(params?: Partial<ChunkParams>, scanner: Scanner = scan): Chunker {
  return createStreamChunker(resolveParams(params), scanner);
}

/**
 * Cuts `buf` (one whole stream) and hashes every chunk, synchronously on the calling thread.
 * Meant for small inputs and tests; it blocks for about 1 ms per MiB.
 * @throws ChunkerError `invalid_params`.
 */
export function chunkBuffer(
  buf: Uint8Array,
  params?: Partial<ChunkParams>,
  scanner: Scanner = scan,
): HashedChunk[] {
  return chunkWhole(buf, resolveParams(params), scanner, hashBlock);
}
