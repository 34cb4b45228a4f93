/**
 * Local-folder {@link BlockStore}: `<root>/ab/cd/<hash>` (two shard levels, 65 536 folders,
 * so no folder grows past a few thousand files below ~10^8 blocks), uploads staged in
 * `<root>/tmp/`.
 *
 * Write path: stream into a temp file while hashing → verify → answer (the block is "staged":
 * readable from its temp file). Then, off the request path and at most {@link SYNC_CONCURRENCY}
 * blocks at once: fsync the temp file → rename it into place → fsync the shard folder →
 * `durable` resolves. So a file exists under its hash only once its bytes are durable, and a kill
 * at any point leaves either no file under the hash or the complete, verified one; temp
 * leftovers (staged blocks a crash caught) are removed at start. The disk writes of a large
 * upload overlap its transfer instead of adding an fsync round trip to every block request
 * (docs/decisions.md D33). A stored file whose size is wrong (damaged) is
 * replaced the same way by the next upload.
 *
 * Fault injection (crash tests only): `CAIRN_FAULT_BLOCK_SYNC_DELAY_MS` holds every block
 * staged for that long before it is made durable, so a test can kill the server in between.
 */
import { createHash, randomBytes } from 'node:crypto';
import fsCb, {
  closeSync,
  createReadStream,
  fsync as fsyncCb,
  fstatSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writev as writevCb,
} from 'node:fs';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CairnError, isHash } from '../../src-shared/index.ts';
import type { BlockHealth, BlockStore, PutResult } from './blocks.ts';

const WRITE_BYTES = 1 << 20;
/**
 * Blocks being made durable at once: half of libuv's thread pool (each holds a pool thread in
 * fsync; the rest must stay free for the reads and writes of requests) — 8 under the CLI's 16
 * threads (threadpool.ts), 2 in a host with the default 4. Concurrent fsyncs share the file
 * system's journal commits: after a 1 GiB upload the commit waited 0.47–0.52 s for the backlog
 * with 4, 0.20–0.31 s with 8.
 */
export const SYNC_CONCURRENCY = Math.max(1, Math.floor((Number(process.env.UV_THREADPOOL_SIZE) || 4) / 2));
/** Staged blocks whose descriptors stay open until their fsync; more are closed and reopened then. */
const OPEN_STAGED_MAX = 128;
/** Size of the buffers lent to downloads (the largest v1 block) and how many are kept. */
const LEASE_BYTES = 4 * 1024 * 1024;
const LEASE_POOL = 16;

/** A verified block not yet durable: its temp file and the promise of its durability. */
interface Staged {
  tmp: string;
  size: number;
  durable: Promise<void>;
}

/** Blocks as files under one folder. */
export class LocalBlockStore implements BlockStore {
  readonly root: string;
  readonly #tmp: string;
  readonly #staged = new Map<string, Staged>();
  /** Shard folders made durable (or being made so) by this process: no mkdir per block. */
  readonly #dirs = new Map<string, Promise<void>>();
  readonly #syncDelayMs = Number(process.env.CAIRN_FAULT_BLOCK_SYNC_DELAY_MS ?? 0) || 0;
  #syncing = 0;
  readonly #syncQueue: Array<() => void> = [];

  constructor(root: string) {
    this.root = root;
    this.#tmp = path.join(root, 'tmp');
  }

  /** Creates the folders; call once before use. */
  async init(): Promise<void> {
    await fs.mkdir(this.#tmp, { recursive: true });
  }

  /** Path of a block's file. */
  pathOf(hash: string): string {
    if (!isHash(hash)) throw new CairnError('bad_request', 'not a block hash');
    return path.join(this.root, hash.slice(0, 2), hash.slice(2, 4), hash);
  }

  /** Number of blocks verified and readable but not yet durable. */
  get stagedCount(): number {
    return this.#staged.size;
  }

  async put(hash: string, source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<PutResult> {
    const final = this.pathOf(hash);
    const tmp = path.join(this.#tmp, `${hash}.${randomBytes(6).toString('hex')}`);
    // Metadata calls (create, stat, rename, close) are synchronous: on a local disk they take
    // microseconds, while each async call costs a thread-pool round trip (and two context
    // switches) — the bulk of a block's CPU once fsync left the request path. Data writes and
    // fsyncs stay asynchronous.
    let fd: number | null = openSync(tmp, 'wx');
    const sha = createHash('sha256');
    let size = 0;
    try {
      // Network chunks are ~64 KiB; gather them into ~1 MiB writev calls (fewer syscalls, no copy).
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      let at = 0;
      const flush = async () => {
        if (pendingBytes === 0) return;
        await writevAt(fd as number, pending, at);
        at += pendingBytes;
        pending = [];
        pendingBytes = 0;
      };
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > maxBytes) throw new CairnError('block_too_large', undefined, { max_bytes: maxBytes });
        sha.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= WRITE_BYTES) await flush();
      }
      await flush();
      const got = sha.digest('hex');
      if (got !== hash)
        throw new CairnError('block_hash_mismatch', undefined, { expected: hash, actual: got });
      // Already staged by an earlier upload: its durability is this upload's too.
      const staged = this.#staged.get(hash);
      if (staged && staged.size === size) {
        closeSync(fd);
        fd = null;
        rmSync(tmp, { force: true });
        return { size, created: false, durable: staged.durable };
      }
      // An existing file of the right size is taken as intact (re-hashing it on every
      // dedup'd upload would double the I/O); one of another size is damaged (truncated,
      // overwritten), and the bytes just verified replace it — a re-upload repairs it.
      const existing = statSync(final, { throwIfNoEntry: false });
      if (existing?.size === size) {
        closeSync(fd);
        fd = null;
        rmSync(tmp, { force: true });
        return { size, created: false, durable: null };
      }
      // The descriptor stays open for the fsync (no reopen), unless many blocks wait already.
      if (this.#staged.size >= OPEN_STAGED_MAX) {
        closeSync(fd);
        fd = null;
      }
      const durable = this.#makeDurable(hash, tmp, final, fd);
      fd = null;
      this.#staged.set(hash, { tmp, size, durable });
      // Settled here too, so a failure never surfaces as an unhandled rejection; callers that
      // need the outcome await `durable` themselves.
      durable.then(
        () => this.#staged.delete(hash),
        () => this.#staged.delete(hash),
      );
      return { size, created: true, durable };
    } catch (err) {
      if (fd !== null) closeSync(fd);
      rmSync(tmp, { force: true });
      throw err;
    }
  }

  /** fsync the temp file, rename it into place, fsync the folder — queued, a few at a time. */
  async #makeDurable(hash: string, tmp: string, final: string, openFd: number | null): Promise<void> {
    let fd = openFd;
    if (this.#syncDelayMs > 0) await new Promise((r) => setTimeout(r, this.#syncDelayMs));
    if (this.#syncing >= SYNC_CONCURRENCY) await new Promise<void>((r) => this.#syncQueue.push(r));
    this.#syncing++;
    try {
      fd ??= openSync(tmp, 'r+');
      await fsyncFd(fd);
      closeSync(fd);
      fd = null;
      const dir = path.dirname(final);
      await this.#ensureDir(dir);
      renameSync(tmp, final);
      await fsyncDir(dir);
    } catch (err) {
      if (fd !== null) closeSync(fd);
      rmSync(tmp, { force: true });
      throw new CairnError('internal', `block ${hash} could not be made durable: ${String(err)}`);
    } finally {
      this.#syncing--;
      this.#syncQueue.shift()?.();
    }
  }

  /**
   * mkdir -p whose folders' names are durable once it resolves: the parent of each is fsynced,
   * also when it existed already (made before a restart, its entry possibly never synced).
   * Once per folder per process: concurrent callers share one promise, so none returns before
   * the name is durable.
   */
  #ensureDir(dir: string): Promise<void> {
    let p = this.#dirs.get(dir);
    if (!p) {
      p = this.#makeDir(dir);
      this.#dirs.set(dir, p);
      p.catch(() => this.#dirs.delete(dir));
    }
    return p;
  }

  async #makeDir(dir: string): Promise<void> {
    const parent = path.dirname(dir);
    // The parent's own name first (a shard folder made before a crash may never have had it
    // synced); once per folder, so cheap.
    if (parent !== this.root && parent !== path.dirname(parent)) await this.#ensureDir(parent);
    // mkdir, not access() then mkdir: a new block usually lands in a shard folder not made yet,
    // and the failed access() cost an error object per block.
    try {
      await fs.mkdir(dir);
    } catch (err) {
      // Something already there must be a folder (a file in the way fails this block, and is
      // not remembered as a made folder).
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !(await fs.stat(dir)).isDirectory()) throw err;
    }
    await fsyncDir(parent);
  }

  read(hash: string, start = 0, end?: number): Readable {
    // createReadStream's `end` is inclusive.
    const range = { start, ...(end !== undefined ? { end: end - 1 } : {}), highWaterMark: 1 << 20 };
    const staged = this.#staged.get(hash);
    if (!staged) return createReadStream(this.pathOf(hash), range);
    // A staged block may be renamed into place while it is read: open it where it is now.
    const final = this.pathOf(hash);
    return Readable.from(
      (async function* () {
        let fh: fs.FileHandle;
        try {
          fh = await fs.open(staged.tmp, 'r');
        } catch {
          fh = await fs.open(final, 'r');
        }
        try {
          yield* fh.createReadStream({ ...range, autoClose: false });
        } finally {
          await fh.close();
        }
      })(),
      { objectMode: false },
    );
  }

  async readAll(hash: string): Promise<Buffer> {
    const final = this.pathOf(hash);
    const staged = this.#staged.get(hash);
    if (staged) {
      try {
        return await readWhole(staged.tmp);
      } catch {
        // renamed into place meanwhile
      }
    }
    return readWhole(final);
  }

  readonly #pool: Buffer[] = [];

  async readLease(hash: string): Promise<{ data: Buffer; release: () => void }> {
    const buf = this.#pool.pop() ?? Buffer.allocUnsafe(LEASE_BYTES);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      if (this.#pool.length < LEASE_POOL) this.#pool.push(buf);
    };
    try {
      const staged = this.#staged.get(hash);
      let data: Buffer | null = null;
      // A staged block may be renamed into place meanwhile: then it is read from there.
      if (staged) data = await readWhole(staged.tmp, buf).catch(() => null);
      data ??= await readWhole(this.pathOf(hash), buf);
      return { data, release };
    } catch (e) {
      release();
      throw e;
    }
  }

  async has(hash: string): Promise<boolean> {
    if (this.#staged.has(hash)) return true;
    try {
      await fs.access(this.pathOf(hash));
      return true;
    } catch {
      return this.#staged.has(hash);
    }
  }

  async delete(hash: string): Promise<void> {
    await fs.rm(this.pathOf(hash), { force: true });
  }

  async *list(): AsyncIterable<{ hash: string; mtimeMs: number }> {
    for (const a of await readdirSafe(this.root)) {
      if (!/^[0-9a-f]{2}$/u.test(a)) continue;
      for (const b of await readdirSafe(path.join(this.root, a))) {
        if (!/^[0-9a-f]{2}$/u.test(b)) continue;
        const dir = path.join(this.root, a, b);
        for (const name of await readdirSafe(dir)) {
          if (!isHash(name)) continue;
          const st = await fs.stat(path.join(dir, name)).catch(() => null);
          if (st) yield { hash: name, mtimeMs: st.mtimeMs };
        }
      }
    }
  }

  async check(hash: string): Promise<BlockHealth> {
    let buf: Buffer;
    try {
      buf = await this.readAll(hash);
    } catch {
      return 'missing';
    }
    return createHash('sha256').update(buf).digest('hex') === hash ? 'ok' : 'damaged';
  }

  async cleanTemp(): Promise<void> {
    await this.drain();
    await fs.rm(this.#tmp, { recursive: true, force: true });
    await fs.mkdir(this.#tmp, { recursive: true });
  }

  async drain(): Promise<void> {
    while (this.#staged.size > 0) {
      await Promise.allSettled([...this.#staged.values()].map((s) => s.durable));
    }
  }
}

async function readdirSafe(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fd = openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
}

const fsyncFd = promisify(fsyncCb);
const readCb = promisify(fsCb.read);

/** writev of `bufs` at `position` of `fd`, all of it. */
async function writevAt(fd: number, bufs: Uint8Array[], position: number): Promise<void> {
  let left = bufs;
  let at = position;
  for (;;) {
    const n = await new Promise<number>((resolve, reject) =>
      writevCb(fd, left, at, (err, written) => (err ? reject(err) : resolve(written))),
    );
    at += n;
    let skip = n;
    while (left.length > 0 && skip >= (left[0] as Uint8Array).byteLength)
      skip -= (left.shift() as Uint8Array).byteLength;
    if (left.length === 0) return;
    if (skip > 0) left = [(left[0] as Uint8Array).subarray(skip), ...left.slice(1)];
  }
}

/**
 * A whole file: open, size and close synchronously (metadata), the bytes read asynchronously —
 * into `into` when it is large enough (a view of it is returned), else into a new buffer.
 */
async function readWhole(file: string, into?: Buffer): Promise<Buffer> {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = into && into.length >= size ? into : Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await readCb(fd, buf, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.length === got ? buf : buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
