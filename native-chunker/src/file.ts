/**
 * Chunking and hashing files: read → cut → hash as a pipeline over a few shared read
 * buffers, with cut and hash work on worker threads (src/pool.ts), and torn-read detection.
 *
 * Buffers: the file is read in segments of `segBytes` into rotating slots laid out as
 * [headroom = maxSize][segment]. After segment s is cut, the bytes of its unfinished last
 * chunk (< maxSize) are copied into the headroom of segment s+1's slot, just before its data,
 * so every block is contiguous in one slot and can be hashed in place, and reading segment
 * s+1 overlaps cutting segment s.
 *
 * Torn reads: the file is opened once; its (dev, inode, size, mtime, ctime) are taken at open
 * and compared at the end with both the open handle and the path; every read must return
 * exactly the bytes the size at open promised, and one read past the end must return nothing.
 * Anything else is `changed_during_read`. Timestamps only prove "unchanged" once they are
 * older than a clock tick (git's "racy mtime" problem), so a file whose mtime or ctime is
 * that fresh is read only after its stamps have aged (see {@link RACY_MARGIN_MS}).
 */
import { constants, type BigIntStats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { newScanState } from './cutter.ts';
import { chunkBuffer, type HashedChunk } from './chunker.ts';
import { ChunkerError } from './errors.ts';
import { resolveParams, type ChunkParams, type ResolvedParams } from './params.ts';
import { sharedExecutor, type Executor } from './pool.ts';

/** Options of {@link chunkFile} and {@link chunkFileStream}. */
export interface ChunkFileOptions {
  /** Chunk parameters (default: protocol v1). */
  params?: Partial<ChunkParams>;
  /** Aborts the read; the promise / iterator rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Files up to this size (bytes) are read in one go and hashed on the calling thread (< 0.2 ms
 * of SHA-256): cheaper than two worker round trips. With the v1 parameters such a file is one
 * block. Larger files go through the worker pipeline.
 */
export const INLINE_MAX_BYTES = 256 * 1024;
/** Read slots in rotation (bounds memory: slots × (maxSize + segment) bytes). */
const SLOTS = 4;

/**
 * How close (ms) a file's mtime or ctime may be to the wall clock before they stop proving
 * that the file did not change while we read it. Filesystems stamp files from a coarse clock:
 * Linux with the time of the last timer tick (one jiffy, 1–10 ms for HZ = 1000…100), Windows
 * from a clock that advances every 15.6 ms by default. Two writes in one tick get the same
 * stamps, so a same-size rewrite in place, during our read and in the tick of the file's last
 * write, leaves dev, inode, size, mtime and ctime all equal — git's "racy mtime" problem. A
 * file is only read once its stamps are this much older than the clock reading taken before
 * its stat: any later write then lands in a later tick and changes them. 20 ms covers both
 * tick sizes with slack; the price is a wait of at most that long for a file just written.
 */
export const RACY_MARGIN_MS = 20;
/**
 * {@link RACY_MARGIN_MS} for filesystems with whole-second stamps (FAT: 2 s; HFS+, ext3: 1 s),
 * recognised by an mtime and a ctime that are both whole seconds.
 */
export const COARSE_RACY_MARGIN_MS = 2000;
/**
 * Longest wait (ms) for a fresh file's stamps to age before reading it; a longer one (only on
 * whole-second filesystems) is reported as `changed_during_read` so the engine retries later
 * instead of holding the file open.
 */
export const MAX_RACY_WAIT_MS = 100;
/** Rounds of "wait, stat again" before a file that keeps being written is `changed_during_read`. */
const RACY_ROUNDS = 3;

/** The wall clock and a timer, injectable for tests. */
export interface Clock {
  /** Milliseconds since the epoch (CLOCK_REALTIME, as file stamps). */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = { now: () => Date.now(), sleep: (ms) => delay(ms) };

/** The timestamps {@link racyWaitMs} looks at, in nanoseconds since the epoch. */
export interface Stamps {
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/**
 * Milliseconds to wait before a file with stamps `st` may be read and later verified by
 * comparing stamps; 0 when it may be read now. `nowMs` is the wall clock read just before `st`
 * was taken (a write not reflected in `st` happened after it). A stamp counts as racy when it
 * lies within the margin (see {@link RACY_MARGIN_MS}) of `nowMs`, on either side; a stamp
 * further in the future (set by utimes, or a server clock ahead of ours) is not from a tick we
 * could share, and waiting for it could take forever. Pure.
 */
export function racyWaitMs(st: Stamps, nowMs: number): number {
  const SEC = 1_000_000_000n;
  const margin = st.mtimeNs % SEC === 0n && st.ctimeNs % SEC === 0n ? COARSE_RACY_MARGIN_MS : RACY_MARGIN_MS;
  let wait = 0;
  for (const ns of [st.mtimeNs, st.ctimeNs]) {
    const ms = Number(ns / 1000n) / 1000;
    if (ms > nowMs - margin && ms < nowMs + margin) wait = Math.max(wait, Math.ceil(ms + margin - nowMs));
  }
  return wait;
}

/** Internal knobs, for tests and the benchmark. */
export interface PipelineTuning {
  executor?: Executor;
  segBytes?: number;
  inlineMaxBytes?: number;
  /** Called after segment `s` has been read (tests use it to change the file mid-read). */
  afterRead?: (s: number) => void | Promise<void>;
  /** Replaces the wall clock and timer of the racy-stamp check (tests). */
  clock?: Clock;
}

/**
 * Chunks a file and hashes every block, off the main thread. Resolves to the blocks in file
 * order; an empty file has none. Offsets are exact up to 2^53 bytes. A file modified in the
 * last {@link RACY_MARGIN_MS} is read only after that much time has passed (its stamps could
 * not reveal a rewrite within the same clock tick before).
 * @throws ChunkerError `not_found`, `is_directory`, `unreadable`, `changed_during_read`,
 *   `invalid_params`, `internal` (a worker died or threw: retry); or `signal.reason` when aborted.
 */
export async function chunkFile(
  path: string,
  opts: ChunkFileOptions = {},
  tuning: PipelineTuning = {},
): Promise<HashedChunk[]> {
  const out: HashedChunk[] = [];
  for await (const c of pipeline(path, opts, false, tuning))
    out.push({ offset: c.offset, length: c.length, hash: c.hash });
  return out;
}

/**
 * Like {@link chunkFile} but yields each block (offset, length, hash; no bytes) as soon as it is
 * hashed, in file order, so a caller can act on early blocks (upload them) while later ones
 * are still being read. The whole file is verified unchanged only when iteration ends: the
 * caller must not commit a revision before the iterator completes.
 * @throws as {@link chunkFile}, from the iterator.
 */
export async function* chunkFileBlocks(
  path: string,
  opts: ChunkFileOptions = {},
  tuning: PipelineTuning = {},
): AsyncGenerator<HashedChunk> {
  for await (const c of pipeline(path, opts, false, tuning)) yield { offset: c.offset, length: c.length, hash: c.hash };
}

/**
 * Like {@link chunkFile} but yields each block as soon as it is hashed, in file order, with a
 * private copy of its bytes in `data` (for uploads). Reading runs at most a few segments ahead
 * of the consumer. The whole file is verified unchanged only when iteration ends, so the
 * caller must not commit a revision before the iterator completes: on `changed_during_read`
 * discard what was uploaded for this revision (the blocks themselves are still valid blocks).
 * @throws as {@link chunkFile}, from the iterator.
 */
export function chunkFileStream(
  path: string,
  opts: ChunkFileOptions = {},
  tuning: PipelineTuning = {},
): AsyncIterable<HashedChunk & { data: Buffer }> {
  return pipeline(path, opts, true, tuning) as AsyncIterable<HashedChunk & { data: Buffer }>;
}

type Out = HashedChunk & { data?: Buffer };

async function openChecked(path: string, clock: Clock): Promise<{ fh: FileHandle; st: BigIntStats }> {
  let fh: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not hang waiting for a writer (no effect on regular files).
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw fsError(err, path);
  }
  try {
    let t = clock.now();
    let st = await fh.stat({ bigint: true });
    if (st.isDirectory()) throw new ChunkerError('is_directory', `is a folder: ${path}`, path);
    if (!st.isFile()) throw new ChunkerError('unreadable', `not a regular file: ${path}`, path);
    // Fresh stamps prove nothing yet: wait until they are older than a tick, then take the
    // version to verify against again (it may have changed meanwhile; then check that one).
    for (let round = 1; ; round++) {
      const wait = racyWaitMs(st, t);
      if (wait === 0) break;
      if (wait > MAX_RACY_WAIT_MS || round >= RACY_ROUNDS)
        throw changed(path, 'modified too recently to tell a rewrite within one clock tick');
      await clock.sleep(wait);
      t = clock.now();
      st = await fh.stat({ bigint: true });
    }
    return { fh, st };
  } catch (err) {
    await fh.close().catch(() => {});
    throw err instanceof ChunkerError ? err : fsError(err, path);
  }
}

/** Maps a node:fs error to a ChunkerError with a stable code. */
export function fsError(err: unknown, path: string): ChunkerError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new ChunkerError('not_found', `no such file: ${path}`, path, err);
  if (code === 'EISDIR') return new ChunkerError('is_directory', `is a folder: ${path}`, path, err);
  return new ChunkerError('unreadable', `cannot read ${path}: ${code ?? String(err)}`, path, err);
}

function changed(path: string, why: string): ChunkerError {
  return new ChunkerError('changed_during_read', `file changed while being read (${why}): ${path}`, path);
}

/**
 * True when two stats describe the same file version: device, inode, size, and mtime and
 * ctime to the nanosecond (ctime too, because a rewrite can restore mtime but not ctime).
 */
export function sameVersion(a: BigIntStats, b: BigIntStats): boolean {
  return (
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs
  );
}

/** Reads exactly `len` bytes at `pos` into `buf[off..]`; a short read means the file shrank. */
async function readExactly(
  fh: FileHandle,
  buf: Uint8Array,
  off: number,
  len: number,
  pos: number,
  path: string,
): Promise<void> {
  let done = 0;
  while (done < len) {
    let n: number;
    try {
      ({ bytesRead: n } = await fh.read(buf, off + done, len - done, pos + done));
    } catch (err) {
      throw fsError(err, path);
    }
    if (n === 0) throw changed(path, `short read at ${pos + done} of ${len} bytes`);
    done += n;
  }
}

/** After the last byte: the file must end where its size at open said, and be the same version. */
async function verifyEnd(fh: FileHandle, st0: BigIntStats, size: number, path: string): Promise<void> {
  const probe = Buffer.alloc(1);
  let n: number;
  let st1: BigIntStats;
  let st2: BigIntStats;
  try {
    ({ bytesRead: n } = await fh.read(probe, 0, 1, size));
    st1 = await fh.stat({ bigint: true });
  } catch (err) {
    throw fsError(err, path);
  }
  if (n !== 0) throw changed(path, 'grew past its size at open');
  if (!sameVersion(st0, st1)) throw changed(path, 'size, mtime or inode differ');
  try {
    st2 = await stat(path, { bigint: true });
  } catch {
    throw changed(path, 'removed or renamed');
  }
  if (!sameVersion(st0, st2)) throw changed(path, 'replaced at its path');
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason;
}

/**
 * Plans segment boundaries: segment s covers [s·seg, min((s+1)·seg, size)). Pure; exported
 * so the 64-bit offset arithmetic is testable without multi-GiB files.
 */
export function segmentRange(s: number, seg: number, size: number): { pos: number; len: number } {
  const pos = s * seg;
  return { pos, len: Math.max(0, Math.min(seg, size - pos)) };
}

async function* pipeline(
  path: string,
  opts: ChunkFileOptions,
  withData: boolean,
  tuning: PipelineTuning,
): AsyncGenerator<Out> {
  const p = resolveParams(opts.params);
  const signal = opts.signal;
  throwIfAborted(signal);
  const { fh, st: st0 } = await openChecked(path, tuning.clock ?? realClock);
  try {
    const size = Number(st0.size);
    if (size <= (tuning.inlineMaxBytes ?? INLINE_MAX_BYTES)) {
      const buf = Buffer.allocUnsafe(size);
      await readExactly(fh, buf, 0, size, 0, path);
      await tuning.afterRead?.(0);
      await verifyEnd(fh, st0, size, path);
      throwIfAborted(signal);
      for (const c of chunkBuffer(buf, p)) {
        yield withData ? { ...c, data: Buffer.from(buf.subarray(c.offset, c.offset + c.length)) } : c;
      }
      return;
    }
    yield* segmented(fh, st0, path, p, withData, signal, tuning);
  } finally {
    await fh.close().catch(() => {});
  }
}

async function* segmented(
  fh: FileHandle,
  st0: BigIntStats,
  path: string,
  p: ResolvedParams,
  withData: boolean,
  signal: AbortSignal | undefined,
  tuning: PipelineTuning,
): AsyncGenerator<Out> {
  const exec = tuning.executor ?? sharedExecutor();
  const size = Number(st0.size);
  const seg = Math.max(tuning.segBytes ?? 8 * 1024 * 1024, 2 * p.maxSize);
  const nSeg = Math.ceil(size / seg);
  // Headroom for the previous segment's unfinished chunk; a one-segment file needs none.
  const head = nSeg > 1 ? p.maxSize : 0;
  const nSlots = Math.min(SLOTS, nSeg);
  // Shared memory, so worker threads cut and hash the bytes in place without copies.
  const slots = Array.from(
    { length: nSlots },
    () => new Uint8Array(new SharedArrayBuffer(head + Math.min(seg, size))),
  );
  const reads: Array<Promise<void> | undefined> = [];
  // hashed[s]: the blocks completed in segment s, resolved when all are hashed (frees the slot).
  const hashed: Array<Promise<Out[]>> = [];
  const quiet = <T>(x: Promise<T>): Promise<T> => {
    x.catch(() => {}); // awaited in order later; never an unhandled rejection
    return x;
  };
  const startRead = (s: number, after: Promise<unknown>): void => {
    if (s >= nSeg || reads[s]) return;
    const { pos, len } = segmentRange(s, seg, size);
    reads[s] = quiet(
      after
        .then(() => readExactly(fh, slots[s % nSlots]!, head, len, pos, path))
        .then(() => tuning.afterRead?.(s)),
    );
  };

  // The producer reads, cuts and hands blocks to the hashers as fast as the slots allow,
  // independently of the consumer (so the next cut never waits for a yield); `produced` wakes
  // the consumer, `consumed` throttles the producer so a slow consumer of a data stream never
  // has more than a few segments of copies buffered.
  let producedUpTo = -1;
  let consumedUpTo = -1;
  let producerDone = false;
  let stop = false;
  const produced = new Notifier();
  const consumed = new Notifier();
  const producer = quiet(
    (async () => {
      for (let s = 0; s < Math.max(1, nSlots - 1); s++) startRead(s, Promise.resolve());
      const st = newScanState();
      let tailLen = 0; // bytes of the unfinished chunk, at the end of the previous segment's slot
      let chunkOffset = 0; // file offset of the unfinished chunk
      for (let s = 0; s < nSeg && !stop; s++) {
        throwIfAborted(signal);
        await reads[s];
        const slot = slots[s % nSlots]!;
        if (s > 0) {
          // Move the unfinished chunk in front of this segment's data; the previous slot is
          // then free once its blocks are hashed.
          const prev = slots[(s - 1) % nSlots]!;
          const prevEnd = head + segmentRange(s - 1, seg, size).len;
          slot.set(prev.subarray(prevEnd - tailLen, prevEnd), head - tailLen);
        }
        startRead(s + nSlots - 1, s > 0 ? hashed[s - 1]! : Promise.resolve());
        const { len } = segmentRange(s, seg, size);
        const cuts = await exec.cut(slot, head, head + len, st, p);
        const blocks: Array<Promise<Out>> = [];
        let start = head - tailLen;
        const ends = Array.from(cuts);
        if (s === nSeg - 1 && start < head + len) ends.push(head + len); // the file's last block
        for (const end of ends) {
          const offset = chunkOffset;
          const length = end - start;
          const data = withData ? Buffer.from(slot.subarray(start, end)) : undefined;
          blocks.push(
            exec
              .hash(slot, start, length)
              .then((hash) => (data ? { offset, length, hash, data } : { offset, length, hash })),
          );
          chunkOffset += length;
          start = end;
        }
        tailLen = head + len - start;
        hashed[s] = quiet(Promise.all(blocks));
        producedUpTo = s;
        produced.fire();
        while (withData && s - consumedUpTo > nSlots && !stop) await consumed.wait();
      }
    })().finally(() => {
      producerDone = true;
      produced.fire();
    }),
  );
  try {
    for (let s = 0; s < nSeg; s++) {
      while (producedUpTo < s) {
        if (producerDone) await producer; // rethrows its error
        if (producerDone) throw new ChunkerError('internal', 'chunker: pipeline stopped early', path);
        await Promise.race([produced.wait(), producer]);
      }
      if (s === nSeg - 1) {
        await producer;
        await verifyEnd(fh, st0, size, path);
        throwIfAborted(signal);
      }
      const blocks = await hashed[s]!;
      consumedUpTo = s;
      consumed.fire();
      yield* blocks;
    }
  } finally {
    stop = true;
    consumed.fire();
    // Let in-flight reads and tasks settle before the caller closes the handle / drops slots.
    await Promise.allSettled([producer, ...reads, ...hashed].filter((x) => x !== undefined));
  }
}

/** Wakes everyone waiting; a wait started after a fire waits for the next one. */
class Notifier {
  #waiters: Array<() => void> = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  fire(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}
