/**
 * The block store interface: immutable blobs addressed by the SHA-256 of their bytes.
 * Implementations: local folder (store/local-blocks.ts, the default). An S3 store plugs in
 * behind the same interface (put = multipart-free PUT of ≤ 4 MiB objects after the hash is
 * verified; rename-into-place is what S3's atomic PUT gives for free).
 *
 * Contract: a block is never stored under its hash until all its bytes are durable and
 * verified. `put` answers once the bytes are verified and readable (`read`, `readAll`, `has`
 * find them); they become durable — and stored under the hash — when `durable` resolves, off
 * the request path: a commit naming the block waits for it (docs/decisions.md D33), and a crash before then loses the block (the client re-uploads on `block_missing`).
 * `put` of a block that already exists verifies the bytes and then discards them — unless the
 * stored copy is damaged (local store: its size differs), which they then replace.
 */
import type { Readable } from 'node:stream';

/** Result of {@link BlockStore.put}. */
export interface PutResult {
  size: number;
  created: boolean;
  durable: Promise<void> | null;
}

/** Outcome of re-hashing one stored block. */
export type BlockHealth = 'ok' | 'missing' | 'damaged';

/** The block store. */
export interface BlockStore {
  /**
   * Streams `source` into the store under `hash`, computing SHA-256 on the way.
   * @returns the size in bytes; whether the bytes were newly stored (or replace a damaged copy);
   *   `durable`: null when the block was already durable, else a promise that resolves once it is
   *   (rejects if making it durable failed: the block is then gone). Never left unhandled.
   * @throws CairnError `block_too_large` (over `maxBytes`), `block_hash_mismatch`
   */
  put(hash: string, source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<PutResult>;
  /** A stream of bytes `[start, end)` of the block (the whole block by default). */
  read(hash: string, start?: number, end?: number): Readable;
  /** Whole block in memory (blocks are ≤ 4 MiB). @throws when missing */
  readAll(hash: string): Promise<Buffer>;
  /**
   * Whole block in a buffer lent from a small pool; call `release()` once its bytes are sent
   * (never touch `data` after). Serving a download without allocating a new buffer per block
   * keeps V8 from running full GCs for every 64 MB of blocks served (external memory).
   * @throws when missing
   */
  readLease(hash: string): Promise<{ data: Buffer; release: () => void }>;
  has(hash: string): Promise<boolean>;
  delete(hash: string): Promise<void>;
  /** Every stored hash with its file modification time (ms). */
  list(): AsyncIterable<{ hash: string; mtimeMs: number }>;
  /** Re-hashes a block. */
  check(hash: string): Promise<BlockHealth>;
  /** Removes leftovers of interrupted uploads (call at start, before serving). */
  cleanTemp(): Promise<void>;
  /** Resolves once every block `put` so far is durable (or failed); call before closing. */
  drain(): Promise<void>;
}
