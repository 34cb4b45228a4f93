/**
 * Numeric limits of protocol v1. Changing any of these is a protocol change.
 * Units are in the names (bytes, ms).
 */

/** FastCDC parameters frozen for protocol v1 (bytes). Cut points define block identity. */
export const CHUNK_PARAMS_V1 = Object.freeze({
  minSize: 256 * 1024,
  avgSize: 1024 * 1024,
  maxSize: 4 * 1024 * 1024,
});

/** Largest block the server accepts (bytes) — the chunker's max size. */
export const MAX_BLOCK_BYTES = CHUNK_PARAMS_V1.maxSize;
/** Largest JSON request body by default (bytes). */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;
/** Largest commit / batch commit body (bytes): block lists of large files are long. */
export const MAX_COMMIT_BODY_BYTES = 32 * 1024 * 1024;
/** Most block hashes in one commit (= 256 GiB at the average block size). */
export const MAX_BLOCKS_PER_COMMIT = 262_144;
/** Most commits in one batch commit. */
export const MAX_BATCH_COMMITS = 1000;
/** Most hashes in one block check. */
export const MAX_CHECK_HASHES = 10_000;
/** Page size bounds of every list call. */
export const MAX_PAGE_LIMIT = 2000;
export const DEFAULT_PAGE_LIMIT = 500;
/** Long-poll wait bounds (ms). */
export const MAX_LONGPOLL_MS = 120_000;
/** Default retention of old revisions and deleted entries (ms): 30 days. */
export const DEFAULT_RETENTION_MS = 30 * 24 * 3600 * 1000;
/** Largest WebSocket frame the server reads (bytes). */
export const MAX_WS_FRAME_BYTES = 4096;
