/**
 * The block store interface: immutable blobs addressed by the SHA-256 of their bytes.
 * Implementations: local folder (store/local-blocks.ts, the default). An S3 store plugs in
 * behind the same interface (put = multipart-free PUT of ≤ 4 MiB objects after the hash is
 * verified; rename-into-place is what S3's atomic PUT gives for free).
 *
 * Contract: a block is never visible under its hash until all its bytes are durable and
 * verified; `put` of a block that already exists verifies the bytes and then discards them —
 * unless the stored copy is damaged (local store: its size differs), which they then replace.
 */
import type { Readable } from 'node:stream';

/** Outcome of re-hashing one stored block. */
export type BlockHealth = 'ok' | 'missing' | 'damaged';

/** The block store. */
export interface BlockStore {
  /**
   * Streams `source` into the store under `hash`, computing SHA-256 on the way.
   * @returns the size in bytes and whether the bytes were newly stored (or replaced a damaged copy).
   * @throws CairnError `block_too_large` (over `maxBytes`), `block_hash_mismatch`
   */
  put(hash: string, source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ size: number; created: boolean }>;
  /** A stream of bytes `[start, end)` of the block (the whole block by default). */
  read(hash: string, start?: number, end?: number): Readable;
  /** Whole block in memory (blocks are ≤ 4 MiB). @throws when missing */
  readAll(hash: string): Promise<Buffer>;
  has(hash: string): Promise<boolean>;
  delete(hash: string): Promise<void>;
  /** Every stored hash with its file modification time (ms). */
  list(): AsyncIterable<{ hash: string; mtimeMs: number }>;
  /** Re-hashes a block. */
  check(hash: string): Promise<BlockHealth>;
  /** Removes leftovers of interrupted uploads (call at start, before serving). */
  cleanTemp(): Promise<void>;
}
