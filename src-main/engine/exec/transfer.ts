/**
 * File transfers: reading a local file's blocks for upload, and building a downloaded file
 * from blocks (local ones first, then the server's) in a temp file in the same folder.
 *
 * Every block read from disk is re-hashed before use, so a file that changed since it was
 * chunked fails with `changed_during_read` instead of sending torn content; every block
 * fetched from the server is hashed before it is written.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { CairnError } from '../../../src-shared/errors.ts';
import { EMPTY_CONTENT_HASH, contentHash } from '../../../src-shared/hash.ts';
import type { RemoteClient } from '../remote/client.ts';
import { TEMP_PREFIX } from '../scan/ignore.ts';
import type { BlockLocation } from '../state/db.ts';

/** SHA-256 (lowercase hex) of `buf` with node:crypto (the bulk-path hasher). */
export function sha256hex(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Reads `length` bytes at `offset` of an open file (short read → `changed_during_read`). */
async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) throw new CairnError('changed_during_read', 'file shrank while being read');
    got += bytesRead;
  }
  return buf;
}

/**
 * Uploads the blocks of the file at `abs` the server lacks (`missing`), `concurrency` at a
 * time. Each block is re-read and re-hashed first.
 * @throws CairnError `changed_during_read` when bytes differ from the chunked hashes; server codes.
 */
export async function putMissingBlocks(
  client: RemoteClient,
  abs: string,
  blocks: ReadonlyArray<{ offset: number; length: number; hash: string }>,
  missing: ReadonlySet<string>,
  concurrency = 4,
): Promise<number> {
  const todo = blocks.filter((b, i) => missing.has(b.hash) && blocks.findIndex((c) => c.hash === b.hash) === i);
  if (todo.length === 0) return 0;
  const fh = await open(abs, 'r');
  let sent = 0;
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length) {
        const b = todo[next++] as { offset: number; length: number; hash: string };
        const data = await readAt(fh, b.offset, b.length);
        if (sha256hex(data) !== b.hash) throw new CairnError('changed_during_read', 'file changed while being uploaded');
        await client.putBlock(b.hash, data);
        sent += b.length;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
  } finally {
    await fh.close();
  }
  return sent;
}

/** Where to find a block locally: candidates from the block index (verified before use). */
export type LocalBlockFinder = (hash: string) => BlockLocation[];

/** Result of {@link buildFile}. */
export interface BuiltFile {
  tmp: string;
  /** Bytes fetched from the server / reused from local files. */
  fetched: number;
  reused: number;
  /** Block offsets in the new file (for the block index). */
  blocks: Array<{ hash: string; offset: number; length: number }>;
}

/**
 * Writes the file made of `blockHashes` into a new temp file next to `abs`, verifies the
 * content hash against `expectHash`, fsyncs it and returns its path. The caller renames it
 * into place (or deletes it). `onTmp` is told the temp path before anything is written, so
 * the op log can clean it after a crash.
 * @throws CairnError `block_hash_mismatch` (server sent wrong bytes), `not_found`, `offline`, …
 */
export async function buildFile(opts: {
  client: RemoteClient;
  root: string;
  abs: string;
  blockHashes: readonly string[];
  expectHash: string;
  findLocal: LocalBlockFinder;
  onTmp?: (tmp: string) => void;
  window?: number;
}): Promise<BuiltFile> {
  const computed = opts.blockHashes.length === 0 ? EMPTY_CONTENT_HASH : contentHash(opts.blockHashes);
  if (computed !== opts.expectHash) throw new CairnError('internal', 'block list does not match the content hash');
  const tmp = path.join(path.dirname(opts.abs), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
  opts.onTmp?.(tmp);
  const out: BuiltFile = { tmp, fetched: 0, reused: 0, blocks: [] };
  const fh = await open(tmp, 'wx', 0o644);
  // Local files blocks are copied from, opened once each for the whole build.
  const sources = new Map<string, Promise<FileHandle>>();
  const inflight: Array<Promise<{ data: Buffer; local: boolean }>> = [];
  let ok = false;
  try {
    const written = new Map<string, { offset: number; length: number }>();
    const fetchOne = async (hash: string): Promise<{ data: Buffer; local: boolean }> => {
      const here = written.get(hash);
      if (here) {
        const data = await readAt(fh, here.offset, here.length);
        if (sha256hex(data) === hash) return { data, local: true };
      }
      for (const loc of opts.findLocal(hash)) {
        try {
          let lf = sources.get(loc.path);
          if (!lf) {
            lf = open(path.join(opts.root, loc.path), 'r');
            sources.set(loc.path, lf);
          }
          const data = await readAt(await lf, loc.offset, loc.length);
          if (sha256hex(data) === hash) return { data, local: true };
        } catch {
          // stale index entry: fall through to the server
        }
      }
      const data = await opts.client.getBlock(hash);
      if (sha256hex(data) !== hash) throw new CairnError('block_hash_mismatch', `server sent wrong bytes for block ${hash}`);
      return { data, local: false };
    };
    // A sliding window keeps a few block fetches in flight while writing in order.
    const windowSize = opts.window ?? 8;
    let offset = 0;
    let i = 0;
    const seenInFlight = new Set<string>();
    const launch = (): void => {
      const h = opts.blockHashes[i++] as string;
      // A repeated block within the file is read back from the temp file once written.
      const p = seenInFlight.has(h) ? Promise.resolve(null as never) : fetchOne(h);
      // Marked handled at once: a fetch failing before its turn is awaited must not count as an
      // unhandled rejection (it is rethrown when awaited in order).
      p.catch(() => undefined);
      inflight.push(p);
      seenInFlight.add(h);
    };
    while (i < opts.blockHashes.length && inflight.length < windowSize) launch();
    for (let k = 0; k < opts.blockHashes.length; k++) {
      const hash = opts.blockHashes[k] as string;
      let got = await inflight.shift();
      if (!got) got = await fetchOne(hash);
      if (i < opts.blockHashes.length) launch();
      await fh.write(got.data, 0, got.data.length, offset);
      if (got.local) out.reused += got.data.length;
      else out.fetched += got.data.length;
      written.set(hash, { offset, length: got.data.length });
      out.blocks.push({ hash, offset, length: got.data.length });
      offset += got.data.length;
    }
    await fh.sync();
    ok = true;
  } finally {
    await fh.close();
    for (const h of sources.values()) await h.then((x) => x.close()).catch(() => undefined);
    // A failed build removes its temp file (it can be up to a GiB); the caller never sees it.
    if (!ok) await rm(tmp, { force: true }).catch(() => undefined);
  }
  return out;
}
