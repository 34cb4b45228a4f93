/**
 * Local-folder {@link BlockStore}: `<root>/ab/cd/<hash>` (two shard levels, 65 536 folders,
 * so no folder grows past a few thousand files below ~10^8 blocks), uploads staged in
 * `<root>/tmp/`.
 *
 * Write path (crash safety): stream into a temp file while hashing → verify → fsync the
 * file → rename into place → fsync the shard folder. A kill at any point leaves either no
 * file under the hash or the complete, verified one; temp leftovers are removed at start.
 * A stored file whose size is wrong (damaged) is replaced the same way by the next upload.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { CairnError, isHash } from '../../src-shared/index.ts';
import type { BlockHealth, BlockStore } from './blocks.ts';

const WRITE_BYTES = 1 << 20;

/** Blocks as files under one folder. */
export class LocalBlockStore implements BlockStore {
  readonly root: string;
  readonly #tmp: string;

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

  async put(hash: string, source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ size: number; created: boolean }> {
    const final = this.pathOf(hash);
    const tmp = path.join(this.#tmp, `${hash}.${randomBytes(6).toString('hex')}`);
    const fh = await fs.open(tmp, 'wx');
    const sha = createHash('sha256');
    let size = 0;
    let closed = false;
    try {
      // Network chunks are ~64 KiB; coalesce them into ~1 MiB writes (fewer syscalls).
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pendingBytes === 0) return;
        await fh.write(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
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
      if (got !== hash) throw new CairnError('block_hash_mismatch', undefined, { expected: hash, actual: got });
      // An existing file of the right size is taken as intact (re-hashing it on every
      // dedup'd upload would double the I/O); one of another size is damaged (truncated,
      // overwritten), and the bytes just verified replace it — a re-upload repairs it.
      const existing = await fs.stat(final).catch(() => null);
      if (existing?.size === size) {
        await fh.close();
        closed = true;
        await fs.rm(tmp, { force: true });
        return { size, created: false };
      }
      await fh.sync();
      await fh.close();
      closed = true;
      const dir = path.dirname(final);
      await ensureDir(dir);
      await fs.rename(tmp, final);
      await fsyncDir(dir);
      return { size, created: true };
    } catch (err) {
      if (!closed) await fh.close().catch(() => {});
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }

  read(hash: string, start = 0, end?: number): Readable {
    // createReadStream's `end` is inclusive.
    return createReadStream(this.pathOf(hash), { start, ...(end !== undefined ? { end: end - 1 } : {}), highWaterMark: 1 << 20 });
  }

  async readAll(hash: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(hash));
  }

  async has(hash: string): Promise<boolean> {
    try {
      await fs.access(this.pathOf(hash));
      return true;
    } catch {
      return false;
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
    await fs.rm(this.#tmp, { recursive: true, force: true });
    await fs.mkdir(this.#tmp, { recursive: true });
  }
}

async function readdirSafe(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

/** mkdir -p that fsyncs the parent of every folder it creates, so the new names are durable. */
async function ensureDir(dir: string): Promise<void> {
  try {
    await fs.access(dir);
    return;
  } catch {
    // fall through: create it
  }
  const parent = path.dirname(dir);
  if (parent !== dir) await ensureDir(parent);
  try {
    await fs.mkdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  await fsyncDir(parent);
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
