/**
 * native-chunker: FastCDC content-defined chunking and SHA-256 block hashing for Cairn
 * protocol v1 (see README.md). Imports nothing of ours.
 */
export { DEFAULT_PARAMS, resolveParams, type ChunkParams, type ResolvedParams } from './params.ts';
export { ChunkerError, type ChunkerErrorCode } from './errors.ts';
export {
  createChunker,
  chunkBuffer,
  implementation,
  type Chunk,
  type Chunker,
  type HashedChunk,
} from './chunker.ts';
export { chunkFile, chunkFileBlocks, chunkFileStream, type ChunkFileOptions } from './file.ts';
export { hashBlock, contentHash } from './hash.ts';
export {
  poolMode,
  poolStatus,
  onPoolNotice,
  type PoolMode,
  type PoolNotice,
  type PoolStatus,
} from './pool.ts';
export { GEAR_V1 } from './gear.ts';
