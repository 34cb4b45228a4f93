/**
 * Where cut and hash work runs: a small pool of worker threads (one per core, at most
 * {@link MAX_WORKERS}) sharing read buffers through SharedArrayBuffer, so a large file keeps
 * every core busy — one worker cuts segment s+1 while the others hash the blocks of segment s
 * — and the main thread only orchestrates. When worker threads are unavailable the work runs
 * inline (synchronously on the calling thread).
 *
 * Scheduling: cut tasks (on the critical path: the next segment's blocks depend on them) jump
 * the queue and go to the first worker, which hashes only when idle; the others hold up to
 * {@link IN_FLIGHT} hash tasks each so they never idle waiting for a message round trip.
 * Workers are unref'd while idle so they never keep a process alive.
 *
 * Lifecycle: a worker counts as started once it posts {ready} (src/worker.ts) — not on its
 * 'online' event, which fires even when the script then fails to load. If no worker has ever
 * started and one dies, workers cannot run here (a bundle that did not ship the script, a
 * script inside app.asar): the pool goes inline for good and says why (an 'inline-fallback'
 * {@link PoolNotice}). A started worker that dies (a crash, an OOM kill) fails the tasks it
 * held with ChunkerError `internal` (they may have half-run; the caller retries the file) and
 * is replaced when work next arrives ('worker-replaced'). After {@link MAX_DEATHS_IN_A_ROW}
 * deaths with no task finished in between the pool stops respawning and goes inline.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ScanState, Scanner } from './cutter.ts';
import { runTask, type CutResult, type TaskMsg } from './task.ts';
import { hashBlock } from './hash.ts';
import { scan } from './chunker.ts';
import { asChunkerError, ChunkerError, isChunkerErrorCode } from './errors.ts';
import type { ResolvedParams } from './params.ts';
import type { WorkerError } from './worker.ts';

/** Where tasks run: on worker threads, or inline on the calling thread (blocking it). */
export type PoolMode = 'workers' | 'inline';

/**
 * What a pool tells its owner (the engine should log it; it is never thrown):
 * - `inline-fallback`: from now on all chunking and hashing runs on the calling thread — in
 *   Electron, the main thread — because `reason`. Chunking still works, but slowly and blocking.
 * - `worker-replaced`: a started worker died (`reason`); its tasks failed with `internal` and
 *   a new worker takes over.
 */
export type PoolNotice =
  { kind: 'inline-fallback'; reason: string } | { kind: 'worker-replaced'; reason: string };

/** State of an executor, for diagnostics. */
export interface PoolStatus {
  mode: PoolMode;
  /** Why the work runs inline (undefined in `workers` mode). */
  reason: string | undefined;
  /** Started workers that died and were (or will be) replaced. */
  workersReplaced: number;
}

/** Runs cut and hash tasks; buffers are views over SharedArrayBuffers (or plain, inline). */
export interface Executor {
  /**
   * Scans `buf[start..end)` from state `st` (updated in place); resolves to cut positions in `buf`.
   * Rejects with a ChunkerError (`internal` when a worker died or the scanner threw).
   */
  cut(
    buf: Uint8Array,
    start: number,
    end: number,
    st: ScanState,
    p: ResolvedParams,
  ): Promise<ArrayLike<number>>;
  /** Resolves to the hex SHA-256 of `buf[off..off+len)`; rejects like {@link Executor.cut}. */
  hash(buf: Uint8Array, off: number, len: number): Promise<string>;
  /** Where the work runs now, and why not on workers. */
  status(): PoolStatus;
}

/** Upper bound on worker threads (the engine runs other work too). */
export const MAX_WORKERS = 4;
const IN_FLIGHT = 4;
/** Started workers dying this many times with no task finished in between: stop respawning. */
export const MAX_DEATHS_IN_A_ROW = 3;

/**
 * An executor that runs everything synchronously on the calling thread with `scanner`;
 * `reason` is what its {@link PoolStatus} says.
 */
export function createInlineExecutor(scanner: Scanner = scan, reason = 'inline executor'): Executor {
  return {
    cut: async (buf, start, end, st, p) => {
      try {
        return scanner(buf, start, end, st, p);
      } catch (err) {
        throw asChunkerError(err, 'chunker cut');
      }
    },
    hash: async (buf, off, len) => {
      try {
        return hashBlock(buf.subarray(off, off + len));
      } catch (err) {
        throw asChunkerError(err, 'chunker hash');
      }
    },
    status: () => ({ mode: 'inline', reason, workersReplaced: 0 }),
  };
}

/** Runs everything synchronously on the calling thread (used when workers are unavailable). */
export const inlineExecutor: Executor = createInlineExecutor();

type Task = { msg: TaskMsg; resolve: (v: unknown) => void; reject: (e: unknown) => void };
type Reply = { ready: true } | { id: number; ok: boolean; value?: unknown; error?: WorkerError };

interface Slot {
  worker: Worker;
  pending: Map<number, Task>;
  /** Has posted {ready}: its script and imports loaded. */
  ready: boolean;
  /** Its death has been handled ('error' is followed by 'exit'). */
  dead: boolean;
}

class WorkerPool implements Executor {
  readonly #slots: Slot[] = [];
  readonly #queue: Task[] = [];
  #nextId = 1;
  readonly #size: number;
  readonly #env: NodeJS.ProcessEnv;
  readonly #script: URL;
  readonly #notify: (n: PoolNotice) => void;
  /** Set once the pool runs inline for good. */
  #inlineReason: string | undefined;
  /** Some worker of this pool has started, so workers can run here. */
  #everReady = false;
  #replaced = 0;
  #deathsInARow = 0;

  constructor(size: number, env: NodeJS.ProcessEnv, script: URL, notify: (n: PoolNotice) => void) {
    this.#size = size;
    this.#env = env;
    this.#script = asarUnpackedUrl(script);
    this.#notify = notify;
  }

  status(): PoolStatus {
    return {
      mode: this.#inlineReason === undefined ? 'workers' : 'inline',
      reason: this.#inlineReason,
      workersReplaced: this.#replaced,
    };
  }

  async cut(
    buf: Uint8Array,
    start: number,
    end: number,
    st: ScanState,
    p: ResolvedParams,
  ): Promise<ArrayLike<number>> {
    const msg: TaskMsg = {
      op: 'cut',
      sab: shared(buf),
      base: buf.byteOffset,
      start,
      end,
      st: [st[0]!, st[1]!],
      p,
    };
    return this.#submit(msg, true).then((r) => {
      const { cuts, st: st2 } = r as CutResult;
      st[0] = st2[0]!;
      st[1] = st2[1]!;
      return cuts;
    });
  }

  async hash(buf: Uint8Array, off: number, len: number): Promise<string> {
    return this.#submit(
      { op: 'hash', sab: shared(buf), off: buf.byteOffset + off, len },
      false,
    ) as Promise<string>;
  }

  #submit(msg: TaskMsg, urgent: boolean): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const t: Task = { msg, resolve, reject };
      if (urgent) this.#queue.unshift(t);
      else this.#queue.push(t);
      this.#pump();
    });
  }

  #pump(): void {
    // Workers start on first use, and a dead one is replaced only when there is work for it.
    while (this.#inlineReason === undefined && this.#queue.length > 0 && this.#slots.length < this.#size)
      this.#spawn();
    if (this.#inlineReason !== undefined) {
      for (const t of this.#queue.splice(0)) runInline(t);
      return;
    }
    for (let k = 0; k < this.#queue.length; k++) {
      const t = this.#queue[k]!;
      const w = this.#pick(t);
      if (!w) continue;
      this.#queue.splice(k--, 1);
      const id = this.#nextId++;
      if (w.pending.size === 0) w.worker.ref();
      w.pending.set(id, t);
      w.worker.postMessage({ id, ...t.msg });
    }
  }

  /**
   * Cuts of one file are serial, so they all go to the first worker (the "cutter"), which
   * takes a hash task only when idle: a cut then waits behind at most one hash. The other
   * workers keep deeper queues so they stay busy even when this thread is slow to answer.
   */
  #pick(t: Task): Slot | undefined {
    const [first, ...rest] = this.#slots;
    if (!first) return undefined;
    if (t.msg.op === 'cut') return first.pending.size < IN_FLIGHT ? first : undefined;
    let best: Slot | undefined;
    for (const w of rest)
      if (w.pending.size < IN_FLIGHT && (!best || w.pending.size < best.pending.size)) best = w;
    const firstLimit = rest.length === 0 ? IN_FLIGHT : 1;
    if (first.pending.size < firstLimit && (!best || best.pending.size > 0)) return first;
    return best;
  }

  #goInline(reason: string): void {
    if (this.#inlineReason !== undefined) return;
    this.#inlineReason = reason;
    this.#notify({ kind: 'inline-fallback', reason });
  }

  #spawn(): void {
    let worker: Worker;
    try {
      worker = new Worker(this.#script, { env: this.#env });
    } catch (err) {
      this.#goInline(`worker threads cannot start (${describe(err)})`);
      return;
    }
    const slot: Slot = { worker, pending: new Map(), ready: false, dead: false };
    worker.on('message', (m: Reply) => {
      if ('ready' in m) {
        slot.ready = true;
        this.#everReady = true;
        return;
      }
      const t = slot.pending.get(m.id);
      if (!t) return;
      slot.pending.delete(m.id);
      if (slot.pending.size === 0) worker.unref();
      this.#deathsInARow = 0;
      if (m.ok) t.resolve(m.value);
      else t.reject(fromWorker(m.error));
      this.#pump();
    });
    const die = (why: string): void => {
      if (slot.dead) return;
      slot.dead = true;
      this.#slots.splice(this.#slots.indexOf(slot), 1);
      const pending = [...slot.pending.values()];
      slot.pending.clear();
      if (!slot.ready) {
        // Its tasks never ran: queue them again (for another worker, or inline).
        this.#queue.unshift(...pending);
        if (!this.#everReady)
          this.#goInline(`chunker worker could not start: ${why} (script ${this.#script.href})`);
        else if (++this.#deathsInARow >= MAX_DEATHS_IN_A_ROW)
          this.#goInline(`${this.#deathsInARow} chunker workers died in a row (last: ${why})`);
      } else {
        for (const t of pending)
          t.reject(new ChunkerError('internal', `chunker worker died during a task: ${why}`));
        this.#replaced++;
        if (++this.#deathsInARow >= MAX_DEATHS_IN_A_ROW)
          this.#goInline(`${this.#deathsInARow} chunker workers died in a row (last: ${why})`);
        else this.#notify({ kind: 'worker-replaced', reason: why });
      }
      this.#pump();
    };
    worker.on('error', (err) => die(describe(err)));
    worker.on('exit', (code) => die(`exited with code ${code}`));
    worker.unref();
    this.#slots.push(slot);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** A worker's error reply as a ChunkerError: its own code if it had one, else `internal`. */
function fromWorker(e: WorkerError | undefined): ChunkerError {
  if (e && isChunkerErrorCode(e.code)) return new ChunkerError(e.code, e.message);
  return new ChunkerError('internal', `chunker worker: ${e ? `${e.name}: ${e.message}` : 'unknown error'}`);
}

/**
 * Where a worker script at `url` can actually be loaded. Inside a packaged Electron app the
 * bundle's worker address points into the `app.asar` archive, and worker threads cannot load
 * scripts from an archive (electron/electron#23078); electron-builder's `asarUnpack` ships the
 * file in the `app.asar.unpacked` folder beside it, so a path segment `app.asar` becomes
 * `app.asar.unpacked`. Any other URL is returned as is. Pure.
 */
export function asarUnpackedUrl(url: URL): URL {
  if (url.protocol !== 'file:') return url;
  const parts = url.pathname.split('/');
  const i = parts.lastIndexOf('app.asar');
  if (i < 0) return url;
  parts[i] = 'app.asar.unpacked';
  const out = new URL(url.href);
  out.pathname = parts.join('/');
  return out;
}

function shared(buf: Uint8Array): SharedArrayBuffer {
  if (!(buf.buffer instanceof SharedArrayBuffer))
    throw new TypeError('pool: buffers must be SharedArrayBuffer views');
  return buf.buffer;
}

function runInline(t: Task): void {
  try {
    t.resolve(runTask(t.msg));
  } catch (err) {
    t.reject(asChunkerError(err, `chunker ${t.msg.op}`));
  }
}

let pool: Executor | undefined;
const listeners = new Set<(n: PoolNotice) => void>();

/**
 * Delivers a notice of a pool created without its own `onNotice` (the shared pool included)
 * to the {@link onPoolNotice} listeners, or, when nobody listens, as a process warning — a
 * fallback to inline work is never silent.
 */
function broadcast(n: PoolNotice): void {
  if (listeners.size === 0) {
    const what = n.kind === 'inline-fallback' ? 'chunking now runs on the calling thread' : 'worker replaced';
    process.emitWarning(`native-chunker: ${what}: ${n.reason}`, {
      type: 'ChunkerPoolWarning',
      code: n.kind === 'inline-fallback' ? 'CAIRN_CHUNKER_INLINE_FALLBACK' : 'CAIRN_CHUNKER_WORKER_REPLACED',
    });
    return;
  }
  for (const l of listeners) {
    try {
      l(n);
    } catch {
      // A listener's bug must not break chunking.
    }
  }
}

/**
 * Subscribes to the shared pool's {@link PoolNotice}s (the engine logs them and can show
 * "hashing on the main thread"). While at least one listener is subscribed, notices are no
 * longer emitted as process warnings. Returns the unsubscribe function.
 */
export function onPoolNotice(listener: (n: PoolNotice) => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** The worker script. A bundler must ship it (and what it imports) as its own entry. */
export const WORKER_URL = new URL('./worker.ts', import.meta.url);

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** Workers use the pure-TypeScript scanner (CAIRN_CHUNKER=typescript in their environment). */
  typescript?: boolean;
  /** Replaces the worker script (tests); resolved through {@link asarUnpackedUrl}. */
  script?: URL;
  /** Receives the pool's notices (default: {@link onPoolNotice} listeners, else a process warning). */
  onNotice?: (n: PoolNotice) => void;
}

/**
 * A new worker pool of `size` threads (for the benchmark and tests; the package uses
 * {@link sharedExecutor}). If no worker can start, the pool runs every task inline instead
 * and reports an 'inline-fallback' notice. Its cut/hash reject with TypeError for non-shared
 * buffers (a caller bug) and with ChunkerError otherwise.
 */
export function createWorkerPool(size: number, opts: WorkerPoolOptions = {}): Executor {
  return new WorkerPool(
    size,
    opts.typescript ? { ...process.env, CAIRN_CHUNKER: 'typescript' } : process.env,
    opts.script ?? WORKER_URL,
    opts.onNotice ?? broadcast,
  );
}

/**
 * The shared executor: a worker pool sized to the machine (min(cores, 4), at least 2 so
 * cutting and hashing overlap even on one core), or an inline executor when
 * CAIRN_CHUNKER_WORKERS=0. Creating it starts no thread; workers start on first use.
 */
export function sharedExecutor(): Executor {
  if (pool) return pool;
  const env = process.env.CAIRN_CHUNKER_WORKERS;
  const n =
    env !== undefined && env !== ''
      ? Number(env)
      : Math.max(2, Math.min(MAX_WORKERS, availableParallelism()));
  pool =
    Number.isInteger(n) && n > 0
      ? createWorkerPool(n)
      : createInlineExecutor(scan, `CAIRN_CHUNKER_WORKERS=${env ?? ''}`);
  return pool;
}

/**
 * Where the shared pool runs chunkFile's work: `workers`, or `inline` (on the calling
 * thread) after a fallback or with CAIRN_CHUNKER_WORKERS=0. See {@link poolStatus} for why.
 */
export function poolMode(): PoolMode {
  return sharedExecutor().status().mode;
}

/** The shared pool's {@link PoolStatus}: mode, the reason it runs inline, workers replaced. */
export function poolStatus(): PoolStatus {
  return sharedExecutor().status();
}
