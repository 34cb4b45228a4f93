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
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ScanState, Scanner } from './cutter.ts';
import { runTask, type CutResult, type TaskMsg } from './task.ts';
import { hashBlock } from './hash.ts';
import { scan } from './chunker.ts';
import type { ResolvedParams } from './params.ts';

/** Runs cut and hash tasks; buffers are views over SharedArrayBuffers (or plain, inline). */
export interface Executor {
  /** Scans `buf[start..end)` from state `st` (updated in place); resolves to cut positions in `buf`. */
  cut(
    buf: Uint8Array,
    start: number,
    end: number,
    st: ScanState,
    p: ResolvedParams,
  ): Promise<ArrayLike<number>>;
  /** Resolves to the hex SHA-256 of `buf[off..off+len)`. */
  hash(buf: Uint8Array, off: number, len: number): Promise<string>;
}

/** Upper bound on worker threads (the engine runs other work too). */
export const MAX_WORKERS = 4;
const IN_FLIGHT = 4;

/** An executor that runs everything synchronously on the calling thread with `scanner`. */
export function createInlineExecutor(scanner: Scanner = scan): Executor {
  return {
    cut: async (buf, start, end, st, p) => scanner(buf, start, end, st, p),
    hash: async (buf, off, len) => hashBlock(buf.subarray(off, off + len)),
  };
}

/** Runs everything synchronously on the calling thread (used when workers are unavailable). */
export const inlineExecutor: Executor = createInlineExecutor();

type Task = { msg: TaskMsg; resolve: (v: unknown) => void; reject: (e: unknown) => void };

interface Slot {
  worker: Worker;
  pending: Map<number, Task>;
  /** Has answered at least once: a worker that dies before that cannot start at all. */
  alive: boolean;
}

class WorkerPool implements Executor {
  readonly #slots: Slot[] = [];
  readonly #queue: Task[] = [];
  #nextId = 1;
  readonly #size: number;
  readonly #env: NodeJS.ProcessEnv;
  readonly #script: URL;
  #broken = false;

  constructor(size: number, env: NodeJS.ProcessEnv, script: URL) {
    this.#size = size;
    this.#env = env;
    this.#script = script;
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
    while (this.#slots.length < this.#size && !this.#broken && this.#spawn()) {
      // all workers start on first use
    }
    if (this.#broken) {
      // Workers cannot start here (e.g. a bundle without worker.ts): run inline instead.
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

  #spawn(): Slot | undefined {
    if (this.#slots.length >= this.#size) return undefined;
    let worker: Worker;
    try {
      worker = new Worker(this.#script, { env: this.#env });
    } catch {
      this.#broken = true;
      return undefined;
    }
    const slot: Slot = { worker, pending: new Map(), alive: false };
    worker.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      slot.alive = true;
      const t = slot.pending.get(m.id);
      if (!t) return;
      slot.pending.delete(m.id);
      if (slot.pending.size === 0) worker.unref();
      if (m.ok) t.resolve(m.value);
      else t.reject(new Error(`chunker worker: ${m.error}`));
      this.#pump();
    });
    const fail = (err: unknown): void => {
      const i = this.#slots.indexOf(slot);
      if (i < 0) return;
      this.#slots.splice(i, 1);
      const pending = [...slot.pending.values()];
      slot.pending.clear();
      if (!slot.alive) {
        // It never ran a task: workers cannot start in this environment. Fall back to inline
        // work for good, including the tasks it had been given.
        this.#broken = true;
        this.#queue.unshift(...pending);
      } else {
        // A worker that died mid-task fails its tasks; the pool replaces it on the next submit.
        for (const t of pending) t.reject(err instanceof Error ? err : new Error(String(err)));
      }
      this.#pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`chunker worker exited with code ${code}`)));
    worker.unref();
    this.#slots.push(slot);
    return slot;
  }
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
    t.reject(err);
  }
}

let pool: Executor | undefined;

/** The worker script. A bundler must ship it (and what it imports) as its own entry. */
export const WORKER_URL = new URL('./worker.ts', import.meta.url);

/**
 * A new worker pool of `size` threads (for the benchmark and tests; the package uses
 * {@link sharedExecutor}). `forceTypescript` makes its workers use the pure-TS scanner;
 * `script` replaces the worker script (tests). If no worker can start, the pool runs every
 * task inline instead. Its cut/hash reject with TypeError for non-shared buffers.
 */
export function createWorkerPool(size: number, forceTypescript = false, script: URL = WORKER_URL): Executor {
  return new WorkerPool(
    size,
    forceTypescript ? { ...process.env, CAIRN_CHUNKER: 'typescript' } : process.env,
    script,
  );
}

/**
 * The shared executor: a worker pool sized to the machine (min(cores, 4), at least 2 so
 * cutting and hashing overlap even on one core), or {@link inlineExecutor} when worker threads
 * cannot start or CAIRN_CHUNKER_WORKERS=0.
 */
export function sharedExecutor(): Executor {
  if (pool) return pool;
  const env = process.env.CAIRN_CHUNKER_WORKERS;
  const n =
    env !== undefined && env !== ''
      ? Number(env)
      : Math.max(2, Math.min(MAX_WORKERS, availableParallelism()));
  pool = Number.isInteger(n) && n > 0 ? createWorkerPool(n) : inlineExecutor;
  return pool;
}
