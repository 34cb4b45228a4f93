/**
 * `native-chunker/portable`: the parts of the chunker that run anywhere JavaScript does — a
 * browser renderer, a web worker — with no Node built-ins, no addon and no Buffer: the
 * pure-TypeScript FastCDC cutter, the streaming chunker, whole-buffer chunking and the
 * protocol-v1 hashes. Blocks hash with @noble/hashes (≈ 0.12 GB/s, pure JS), or node:crypto
 * when the runtime happens to have it. Same cut points and hashes as the main entry (the
 * protocol-v1 vectors run against both). For files, use the main entry's chunkFile.
 */
import { scanTs } from './cutter.ts';
import { hashBlock } from './hash.ts';
import { resolveParams, type ChunkParams } from './params.ts';
import { chunkWhole, createStreamChunker, type Chunker, type HashedChunk } from './stream.ts';

export { DEFAULT_PARAMS, resolveParams, type ChunkParams, type ResolvedParams } from './params.ts';
export { ChunkerError, type ChunkerErrorCode } from './errors.ts';
export { newScanState, scanTs, type ScanState, type Scanner } from './cutter.ts';
export { hashBlock, hashBlockPortable, contentHash } from './hash.ts';
export type { Chunk, Chunker, HashedChunk } from './stream.ts';

/**
 * A streaming FastCDC chunker using the TypeScript cutter (see the main entry's
 * `createChunker`; same cuts). O(1) memory.
 * @throws ChunkerError `invalid_params` for out-of-range parameters.
 */
export function createChunker(params?: Partial<ChunkParams>): Chunker {
  return createStreamChunker(resolveParams(params), scanTs);
}

/**
 * Cuts `buf` (one whole stream) and hashes every block, synchronously (≈ 10 ms per MiB with
 * @noble/hashes: keep inputs small or run it in a web worker).
 * @throws ChunkerError `invalid_params`.
 */
export function chunkBuffer(buf: Uint8Array, params?: Partial<ChunkParams>): HashedChunk[] {
  return chunkWhole(buf, resolveParams(params), scanTs, hashBlock);
}
