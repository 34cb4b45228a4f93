/**
 * Downloads: building a file from blocks (local ones first, then the server's) in a temp file
 * in the same folder. Uploads are in block-upload.ts.
 *
 * What proves that bytes are the blocks they are said to be (docs/decisions.md D34):
 * - Upload: see block-upload.ts (the server verifies every block).
 * - Download: every block fetched from the server is hashed before it is written. A block
 *   copied from a local file is trusted without hashing when that file's stat (inode, size,
 *   mtime, ctime) still equals the local tree's record of the chunking that indexed it and is
 *   racily clean — the scanner's fast path (`stillHashed`) — and still equals it after the copy;
 *   otherwise the copied bytes are hashed like fetched ones. Runs of such blocks that follow
 *   each other in both files are copied with large reads and writes — in the kernel
 *   (`copy_file_range`, native-chunker/copy-range) where the platform has it, else through a
 *   buffer.
 * Blocks fetched from the server are received into buffers reused within the build (see
 * `RemoteClient.getBlockInto`), not a fresh allocation per block.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import type { Stats } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { CopyRangeUnsupported, copyRange } from 'native-chunker/copy-range';
import { CairnError } from '../../../src-shared/errors.ts';
import { EMPTY_CONTENT_HASH, contentHash } from '../../../src-shared/hash.ts';
import { MAX_BLOCK_BYTES } from '../../../src-shared/protocol/limits.ts';
import type { RemoteClient } from '../remote/client.ts';
import { TEMP_PREFIX } from '../scan/ignore.ts';
import { RACY_MARGIN_MS } from '../scan/scanner.ts';
import type { BlockLocation } from '../state/db.ts';
import { BufferPool } from './buffers.ts';

/**
 * SHA-256 (lowercase hex) of `buf`, computed on the libuv thread pool (WebCrypto `digest`,
 * OpenSSL underneath): a download's main thread stays free to receive the next blocks while
 * earlier ones are hashed, instead of spending ≈ 0.5 s per GiB hashing in line. `digest`
 * copies `buf` before it returns, so the caller may reuse the buffer at once.
 */
export async function sha256hex(buf: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', buf)).toString('hex');
}

/** Bytes written to a temp file between the fdatasyncs that start its write-back early. */
const EARLY_SYNC_BYTES = 64 * 1024 * 1024;
/** Whether builds start write-back early (see buildFile; tests may force it with `syncEvery`). */
const EARLY_SYNC = process.platform === 'linux';
/** An early fdatasync is running somewhere in this process. */
let earlySyncBusy = false;
/** Longest run of trusted local blocks copied with one read and one write (bytes). */
const COPY_RUN = 16 * 1024 * 1024;
/**
 * Writes (and kernel copies) to the temp file in flight at once: one. Linux file systems take
 * a file's inode lock for each write, so a second writer to the same file only waits — on
 * ext4 partly spinning on the lock (`rwsem_spin_on_owner` in a profile of a 1 GiB download),
 * which burns a core of a 2-core machine. The fetches and hashes of the next blocks still
 * overlap the write.
 */
const MAX_WRITES = 1;

/** Reads `length` bytes at `offset` of an open file into `buf` (short read → `changed_during_read`). */
async function readInto(fh: FileHandle, buf: Buffer, offset: number, length: number): Promise<Buffer> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) throw new CairnError('changed_during_read', 'file shrank while being read');
    got += bytesRead;
  }
  return buf.subarray(0, length);
}

/** Reads `length` bytes at `offset` into a new buffer. */
function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  return readInto(fh, Buffer.allocUnsafe(length), offset, length);
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

/** A local file blocks are copied from, opened once for the whole build. */
interface Source {
  fh: FileHandle;
  /** Its stat when opened, if it then matched the local tree's record (racily clean): its indexed blocks need no hashing. */
  trusted: Stats | null;
}

/** True when `st` still describes the chunking recorded in `file` (the scanner's fast-path rule). */
function matchesRecord(st: Stats, file: BlockLocation['file']): boolean {
  return (
    !!file &&
    file.inode === st.ino &&
    file.size === st.size &&
    file.mtime === st.mtimeMs &&
    file.ctime !== null &&
    file.ctime === st.ctimeMs &&
    file.hashedAt !== null &&
    st.mtimeMs < file.hashedAt - RACY_MARGIN_MS
  );
}

function sameStat(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/** One step of a build, in file order. */
type Step =
  | {
      kind: 'copy';
      src: Source;
      srcOffset: number;
      length: number;
      blocks: Array<{ hash: string; length: number }>;
    }
  | { kind: 'get'; hash: string; data: Promise<{ data: Buffer; local: boolean }> }
  | { kind: 'again'; hash: string };

/**
 * Writes the file made of `blockHashes` into a new temp file next to `abs`, verifies it (see the
 * module comment), fsyncs it and returns its path. The caller renames it into place (or deletes
 * it). `onTmp` is told the temp path before anything is written, so the op log can clean it
 * after a crash. A failed build removes its temp file.
 * @throws CairnError `block_hash_mismatch` (server sent wrong bytes), `changed_during_read` (a
 *   local source changed while copied), `not_found`, `offline`, …
 */
export async function buildFile(opts: {
  client: RemoteClient;
  root: string;
  abs: string;
  blockHashes: readonly string[];
  expectHash: string;
  findLocal: LocalBlockFinder;
  onTmp?: (tmp: string) => void;
  /** Blocks fetched (or verified) ahead of the write position (default 12). */
  window?: number;
  /** false: copy local runs through a buffer even where `copy_file_range` exists (default true; tests run both paths). */
  kernelCopy?: boolean;
  /** Bytes written between the fdatasyncs that start write-back early (default 64 MiB; Linux only). */
  syncEvery?: number;
}): Promise<BuiltFile> {
  const computed = opts.blockHashes.length === 0 ? EMPTY_CONTENT_HASH : contentHash(opts.blockHashes);
  if (computed !== opts.expectHash)
    throw new CairnError('internal', 'block list does not match the content hash');
  const tmp = path.join(path.dirname(opts.abs), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
  opts.onTmp?.(tmp);
  const out: BuiltFile = { tmp, fetched: 0, reused: 0, blocks: [] };
  // Read back too: a block repeated within the file is copied from where it was written.
  const fh = await open(tmp, 'wx+', 0o644);
  const sources = new Map<string, Promise<Source>>();
  const pendingWrites = new Set<Promise<void>>();
  let earlySyncing: Promise<void> | null = null;
  let earlySyncError: unknown = null;
  let ok = false;
  try {
    const source = (rel: string, file: BlockLocation['file']): Promise<Source> => {
      let s = sources.get(rel);
      if (!s) {
        s = (async () => {
          const h = await open(path.join(opts.root, rel), 'r');
          const st = await h.stat();
          return { fh: h, trusted: matchesRecord(st, file) ? st : null };
        })();
        // Marked handled at once (a failure is seen where it is awaited).
        s.catch(() => undefined);
        sources.set(rel, s);
      }
      return s;
    };
    // Receive buffers, reused once their write is done.
    const bufs = new BufferPool(256 * 1024, (opts.window ?? 12) + MAX_WRITES);
    /** The block's bytes from an untrusted local copy (hashed) or the server (hashed). */
    const fetchOne = async (hash: string): Promise<{ data: Buffer; local: boolean }> => {
      for (const loc of opts.findLocal(hash)) {
        try {
          const src = await source(loc.path, loc.file);
          const data = await readAt(src.fh, loc.offset, loc.length);
          if ((await sha256hex(data)) === hash) return { data, local: true };
        } catch {
          // stale index entry: try the next place, then the server
        }
      }
      const data = await opts.client.getBlockInto(hash, (n) => bufs.take(n));
      if ((await sha256hex(data)) !== hash) {
        bufs.give(data);
        throw new CairnError('block_hash_mismatch', `server sent wrong bytes for block ${hash}`);
      }
      return { data, local: false };
    };
    /** A trusted local place of `hash`, if any (opening candidate files as needed). */
    const trustedPlace = async (hash: string): Promise<{ src: Source; loc: BlockLocation } | null> => {
      for (const loc of opts.findLocal(hash)) {
        if (!loc.file) continue;
        const src = await source(loc.path, loc.file).catch(() => null);
        if (src?.trusted && loc.offset + loc.length <= src.trusted.size) return { src, loc };
      }
      return null;
    };

    // Plan in file order: trusted local runs become copy steps; the rest are fetched ahead.
    const steps: Step[] = [];
    const firstAt = new Set<string>();
    const windowSize = opts.window ?? 12;
    let inFlight = 0;
    for (const hash of opts.blockHashes) {
      if (firstAt.has(hash)) {
        steps.push({ kind: 'again', hash });
        continue;
      }
      firstAt.add(hash);
      const place = await trustedPlace(hash);
      const last = steps[steps.length - 1];
      if (place) {
        if (
          last?.kind === 'copy' &&
          last.src === place.src &&
          last.srcOffset + last.length === place.loc.offset &&
          last.length + place.loc.length <= COPY_RUN
        ) {
          last.length += place.loc.length;
          last.blocks.push({ hash, length: place.loc.length });
        } else {
          steps.push({
            kind: 'copy',
            src: place.src,
            srcOffset: place.loc.offset,
            length: place.loc.length,
            blocks: [{ hash, length: place.loc.length }],
          });
        }
        continue;
      }
      steps.push({ kind: 'get', hash, data: null as unknown as Promise<{ data: Buffer; local: boolean }> });
    }
    // Fetches start a window ahead of the write position.
    const gets = steps.filter((s): s is Extract<Step, { kind: 'get' }> => s.kind === 'get');
    let launched = 0;
    const launch = (): void => {
      while (launched < gets.length && inFlight < windowSize) {
        const g = gets[launched++] as Extract<Step, { kind: 'get' }>;
        inFlight++;
        g.data = fetchOne(g.hash);
        // Handled at once: a fetch failing before its turn is rethrown when awaited in order.
        g.data.catch(() => undefined);
      }
    };
    launch();

    // Writes go out without waiting for each other (MAX_WRITES at a time): the next block's fetch,
    // hash or read overlaps the previous one's write. Copy runs use one of two large buffers.
    const writes = pendingWrites;
    let writeError: unknown = null;
    // Allocated on first use and only as large as this build needs: a small download must not
    // allocate 32 MiB (external memory that makes V8 run full GCs, and latency).
    const copySize = Math.max(
      0,
      ...steps.map((st) => (st.kind === 'copy' ? st.length : 0)),
      steps.some((st) => st.kind === 'again') ? MAX_BLOCK_BYTES : 0,
    );
    const copyBufs: Buffer[] = [];
    let copyAllocated = 0;
    const copyBuf = async (): Promise<Buffer> => {
      if (copyBufs.length === 0 && copyAllocated < 2) {
        copyAllocated++;
        return Buffer.allocUnsafe(copySize);
      }
      while (copyBufs.length === 0) await Promise.race(writes);
      return copyBufs.pop() as Buffer;
    };
    const write = async (data: Buffer, at: number, release?: () => void): Promise<void> => {
      while (writes.size >= MAX_WRITES) await Promise.race(writes);
      if (writeError) throw writeError;
      const p: Promise<void> = (async () => {
        for (let done = 0; done < data.length;) {
          done += (await fh.write(data, done, data.length - done, at + done)).bytesWritten;
        }
      })()
        .catch((e: unknown) => {
          writeError ??= e;
        })
        .finally(() => {
          writes.delete(p);
          release?.();
        });
      writes.add(p);
    };
    /**
     * Copies `length` bytes at `from` of `src` to `to` of the temp file: in the kernel while the
     * platform allows it (a refusal switches this build to the buffer path), queued like a write.
     */
    let inKernel = copyRange !== null && opts.kernelCopy !== false;
    const copyRun = async (src: FileHandle, from: number, to: number, length: number): Promise<void> => {
      if (inKernel) {
        while (writes.size >= MAX_WRITES) await Promise.race(writes);
        if (writeError) throw writeError;
        const p: Promise<void> = (copyRange as NonNullable<typeof copyRange>)(src.fd, from, fh.fd, to, length)
          .then(
            () => undefined,
            (e: unknown) => {
              if (e instanceof CopyRangeUnsupported) {
                inKernel = false;
                return copyPlain(src, from, to, length);
              }
              // The source ended early: it changed since it was indexed.
              if ((e as { code?: unknown }).code === 'SHORT')
                throw new CairnError('changed_during_read', 'a local file blocks were copied from shrank');
              throw e;
            },
          )
          .catch((e: unknown) => {
            writeError ??= e;
          })
          .finally(() => writes.delete(p));
        writes.add(p);
        return;
      }
      await copyThroughBuffer(src, from, to, length);
    };
    /** The one-off fallback of a refused kernel copy (outside the write queue it already holds a place in). */
    const copyPlain = async (src: FileHandle, from: number, to: number, length: number): Promise<void> => {
      const data = await readAt(src, from, length);
      for (let done = 0; done < length;) done += (await fh.write(data, done, length - done, to + done)).bytesWritten;
    };
    const copyThroughBuffer = async (src: FileHandle, from: number, to: number, length: number): Promise<void> => {
      const buf = await copyBuf();
      const data = await readInto(src, buf, from, length);
      await write(data, to, () => copyBufs.push(buf));
    };
    const at = new Map<string, { offset: number; length: number }>();
    let offset = 0;
    // Write-back starts while the build goes on (an fdatasync every EARLY_SYNC_BYTES; one at a
    // time in the process, so a few large downloads do not tie up the thread pool), so the final
    // fsync of a large file waits for its last part only. Linux only: measured on ext4 there,
    // while macOS's fdatasync is a full drive-cache flush (F_FULLFSYNC) each time.
    let syncedTo = 0;
    const earlySync = (): void => {
      if (!EARLY_SYNC || earlySyncBusy || offset - syncedTo < (opts.syncEvery ?? EARLY_SYNC_BYTES)) return;
      syncedTo = offset;
      earlySyncBusy = true;
      earlySyncing = fh.datasync().then(
        () => {
          earlySyncing = null;
          earlySyncBusy = false;
        },
        (e: unknown) => {
          // A write-back error is reported once per open file: this one, not the final fsync.
          earlySyncError ??= e;
          earlySyncing = null;
          earlySyncBusy = false;
        },
      );
    };
    for (const step of steps) {
      earlySync();
      if (step.kind === 'copy') {
        await copyRun(step.src.fh, step.srcOffset, offset, step.length);
        let o = offset;
        for (const b of step.blocks) {
          at.set(b.hash, { offset: o, length: b.length });
          out.blocks.push({ hash: b.hash, offset: o, length: b.length });
          o += b.length;
        }
        out.reused += step.length;
        offset += step.length;
      } else if (step.kind === 'get') {
        const got = await step.data;
        inFlight--;
        launch();
        await write(got.data, offset, () => bufs.give(got.data));
        if (got.local) out.reused += got.data.length;
        else out.fetched += got.data.length;
        at.set(step.hash, { offset, length: got.data.length });
        out.blocks.push({ hash: step.hash, offset, length: got.data.length });
        offset += got.data.length;
      } else {
        // A block repeated within the file: copied from where this build wrote it (our own temp
        // file), once that write is done.
        const first = at.get(step.hash) as { offset: number; length: number };
        await Promise.all(writes);
        await copyRun(fh, first.offset, offset, first.length);
        out.reused += first.length;
        out.blocks.push({ hash: step.hash, offset, length: first.length });
        offset += first.length;
      }
    }
    await Promise.all(writes);
    if (writeError) throw writeError;
    // Trusted sources must not have changed while copied (a write moves mtime/ctime past hashedAt).
    for (const s of sources.values()) {
      const src = await s.catch(() => null);
      if (src?.trusted && !sameStat(await src.fh.stat(), src.trusted)) {
        throw new CairnError('changed_during_read', 'a local file blocks were copied from changed meanwhile');
      }
    }
    await earlySyncing;
    if (earlySyncError) throw earlySyncError;
    await fh.sync();
    ok = true;
  } finally {
    await Promise.allSettled(pendingWrites);
    // Never close a descriptor an fdatasync still uses (its number could be reused meanwhile).
    await earlySyncing;
    await fh.close();
    for (const h of sources.values()) await h.then((x) => x.fh.close()).catch(() => undefined);
    // A failed build removes its temp file (it can be up to a GiB); the caller never sees it.
    if (!ok) await rm(tmp, { force: true }).catch(() => undefined);
  }
  return out;
}
