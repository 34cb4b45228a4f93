/**
 * Uploading a local file's blocks: `BlockUploader` (a few PUTs in flight, each block read from
 * the file into a reused buffer), `putMissingBlocks` (the executor's upload of what `check`
 * reported missing) and `EarlyUpload` (blocks sent while the scanner is still hashing the file).
 *
 * Nothing here proves a block's bytes: the server recomputes every block's SHA-256 and refuses
 * a mismatch, which means the file changed since it was chunked (`changed_during_read`), and a
 * commit names the hashes of one consistent chunking (docs/decisions.md D34).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { CairnError } from '../../../src-shared/errors.ts';
import type { RemoteClient } from '../remote/client.ts';
import type { BlockSink } from '../scan/chunker.ts';
import { BufferPool } from './buffers.ts';

/** Smallest read buffer (bytes): a tiny file's block does not get a 4 MiB one. */
const MIN_BUF = 64 * 1024;

/** A block of the file being uploaded: byte offset and length, lowercase hex SHA-256. */
export interface UploadBlock {
  offset: number;
  length: number;
  hash: string;
}

/**
 * Uploads blocks of one file, `concurrency` at a time, each read into a buffer reused by later
 * blocks. `add` applies back-pressure (it resolves once at most `concurrency` blocks wait), so
 * a producer never queues the whole file. The first failure stops new uploads and is thrown by
 * the next `add` and by `finish`.
 */
export class BlockUploader {
  readonly #client: RemoteClient;
  readonly #abs: string;
  readonly #concurrency: number;
  #fh: Promise<FileHandle> | null = null;
  readonly #queue: UploadBlock[] = [];
  readonly #bufs: BufferPool;
  #active = 0;
  #error: unknown = null;
  /** Resolvers of callers waiting for a change (a block done, or the first failure). */
  #waiters: Array<() => void> = [];
  /** Bytes sent so far. */
  sent = 0;

  /** @param abs absolute path of the file; opened on the first block, closed by `finish`. */
  constructor(client: RemoteClient, abs: string, concurrency = 6) {
    this.#client = client;
    this.#abs = abs;
    this.#concurrency = Math.max(1, concurrency);
    this.#bufs = new BufferPool(MIN_BUF, this.#concurrency);
  }

  /**
   * Queues `b` for upload; resolves once the queue has room again.
   * @throws the first upload failure (see {@link finish})
   */
  async add(b: UploadBlock): Promise<void> {
    if (this.#error) throw this.#error;
    this.#queue.push(b);
    this.#pump();
    while (this.#queue.length >= this.#concurrency && !this.#error) await this.#changed();
    if (this.#error) throw this.#error;
  }

  /**
   * Waits until every queued block is sent (or, after a failure, until the uploads in flight
   * settle), then closes the file.
   * @returns bytes sent
   * @throws CairnError `changed_during_read` (the file is shorter than a block's end, or its bytes
   *   no longer hash to the chunked values); server codes; `offline`.
   */
  async finish(): Promise<number> {
    while ((this.#queue.length > 0 && !this.#error) || this.#active > 0) await this.#changed();
    const fh = this.#fh;
    this.#fh = null;
    this.#bufs.clear();
    if (fh) await (await fh.catch(() => null))?.close();
    if (this.#error) throw this.#error;
    return this.sent;
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #notify(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  #pump(): void {
    while (this.#active < this.#concurrency && this.#queue.length > 0 && !this.#error) {
      const b = this.#queue.shift() as UploadBlock;
      this.#active++;
      this.#one(b)
        .catch((e: unknown) => {
          this.#error ??= e;
        })
        .finally(() => {
          this.#active--;
          this.#pump();
          this.#notify();
        });
    }
  }

  async #one(b: UploadBlock): Promise<void> {
    this.#fh ??= open(this.#abs, 'r');
    const fh = await this.#fh;
    const buf = this.#bufs.take(b.length);
    try {
      let got = 0;
      while (got < b.length) {
        const { bytesRead } = await fh.read(buf, got, b.length - got, b.offset + got);
        if (bytesRead === 0) throw new CairnError('changed_during_read', 'file shrank while being uploaded');
        got += bytesRead;
      }
      try {
        // putBlock resolves once the body has been sent: the buffer is free again after it.
        await this.#client.putBlock(b.hash, buf.subarray(0, b.length));
      } catch (e) {
        if (e instanceof CairnError && e.code === 'block_hash_mismatch') {
          throw new CairnError('changed_during_read', 'file changed while being uploaded');
        }
        throw e;
      }
      this.sent += b.length;
    } finally {
      this.#bufs.give(buf);
    }
  }
}

/**
 * Uploads the blocks of the file at `abs` the server lacks (`missing`), each once,
 * `concurrency` at a time.
 * @returns bytes sent
 * @throws CairnError `changed_during_read` (the file changed: shorter, or bytes that no longer
 *   hash to the chunked values); server codes; `offline`.
 */
export async function putMissingBlocks(
  client: RemoteClient,
  abs: string,
  blocks: ReadonlyArray<UploadBlock>,
  missing: ReadonlySet<string>,
  concurrency = 6,
): Promise<number> {
  const seen = new Set<string>();
  const todo = blocks.filter((b) => missing.has(b.hash) && !seen.has(b.hash) && seen.add(b.hash));
  if (todo.length === 0) return 0;
  const up = new BlockUploader(client, abs, concurrency);
  try {
    for (const b of todo) await up.add(b);
  } catch (e) {
    await up.finish().catch(() => undefined);
    throw e;
  }
  return up.finish();
}

/** Files an engine uploads early at once (each with its own PUTs in flight and buffers). */
export const EARLY_UPLOADS_AT_ONCE = 2;

/** Blocks asked about in one `check` by {@link EarlyUpload}. */
const EARLY_CHECK_BATCH = 8;

/** Options of {@link EarlyUpload}. */
export interface EarlyUploadOptions {
  /** PUTs in flight at once (default 6). */
  concurrency?: number;
  /** Polled before each `check` and PUT: true stops the early upload (paused, stopping, offline). */
  stopped?: () => boolean;
}

/**
 * Early upload (docs/decisions.md D40): the blocks of a large file the scanner is hashing go to
 * the server as they are hashed — `check` per batch of {@link EARLY_CHECK_BATCH} blocks, then
 * PUTs of the missing ones — so the upload overlaps the hashing instead of following the plan.
 *
 * It never holds up the scan: `push` and `end` return at once and the work runs behind them
 * (queued blocks are offsets and hashes only; bytes are read from the file when sent), so a slow
 * uplink or an upload limit slows this upload, never the hashing or the round. The executor's
 * upload of the path waits for {@link settled} before its own `check`, so no block is sent twice.
 *
 * Nothing is committed here: blocks are content-addressed, so sending them before the planner
 * has decided is harmless (a block no commit names is collected by the server's GC), and the
 * executor's `check` waits for their durability. Any failure (offline, a file changed
 * meanwhile) or `stopped()` just ends the early upload: the executor's upload does the rest
 * and reports what must be reported.
 */
export class EarlyUpload implements BlockSink {
  readonly #client: RemoteClient;
  readonly #up: BlockUploader;
  readonly #stopped: () => boolean;
  readonly #seen = new Set<string>();
  #pending: UploadBlock[] = [];
  /** The last batch queued (each batch runs after the one before it). */
  #chain: Promise<void> = Promise.resolve();
  #failed = false;
  #ended = false;
  #done = false;
  /** Resolves once the early upload is over: everything sent, or given up. Never rejects. */
  readonly settled: Promise<void>;
  #settle!: () => void;

  /**
   * @param client the device's protocol client (its upload limit applies)
   * @param abs absolute path of the file being hashed
   */
  constructor(client: RemoteClient, abs: string, opts: EarlyUploadOptions = {}) {
    this.#client = client;
    this.#up = new BlockUploader(client, abs, opts.concurrency ?? 6);
    this.#stopped = opts.stopped ?? (() => false);
    this.settled = new Promise((resolve) => (this.#settle = resolve));
  }

  /** Bytes sent so far. */
  get sent(): number {
    return this.#up.sent;
  }

  /** True once {@link settled} has resolved. */
  get done(): boolean {
    return this.#done;
  }

  /** True once a failure or `stopped()` ended the early upload before everything was sent. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Takes the next hashed block, in file order; returns at once. Never rejects. */
  async push(b: UploadBlock): Promise<void> {
    if (this.#ended || this.#failed || this.#seen.has(b.hash)) return;
    this.#seen.add(b.hash);
    this.#pending.push(b);
    if (this.#pending.length >= EARLY_CHECK_BATCH) this.#queueBatch();
  }

  /** No more blocks (the file was read whole, or reading failed); the rest runs behind. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queueBatch();
    void this.#chain
      .then(() => this.#up.finish())
      .catch(() => {
        this.#failed = true;
      })
      .finally(() => {
        this.#done = true;
        this.#settle();
      });
  }

  /** Chains a check-and-upload of the pending blocks after the batches before it (order kept). */
  #queueBatch(): void {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length > 0) this.#chain = this.#chain.then(() => this.#send(batch));
  }

  /** `check` of one batch, then its missing blocks to the uploader. Never rejects. */
  async #send(batch: UploadBlock[]): Promise<void> {
    if (this.#failed || this.#stopped()) {
      this.#failed = true;
      return;
    }
    try {
      const { missing } = await this.#client.call('checkBlocks', { body: { hashes: batch.map((b) => b.hash) } });
      const lacks = new Set(missing);
      for (const b of batch) {
        if (!lacks.has(b.hash)) continue;
        if (this.#stopped()) {
          this.#failed = true;
          return;
        }
        await this.#up.add(b);
      }
    } catch {
      this.#failed = true;
    }
  }
}
