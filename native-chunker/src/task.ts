/**
 * One unit of pool work, as a plain message, and the code that runs it. Shared by the worker
 * threads (src/worker.ts) and by the pool's inline fallback when workers cannot start.
 */
import { createHash } from 'node:crypto';
import { scan } from './chunker.ts';
import type { ResolvedParams } from './params.ts';

/** A task message: cut a range of a shared buffer from a scan state, or hash a range. */
export type TaskMsg =
  | {
      op: 'cut';
      sab: SharedArrayBuffer;
      base: number;
      start: number;
      end: number;
      st: number[];
      p: ResolvedParams;
    }
  | { op: 'hash'; sab: SharedArrayBuffer; off: number; len: number };

/** Result of a cut task: cut positions (relative to `base`) and the scan state after the range. */
export interface CutResult {
  cuts: ArrayLike<number>;
  st: number[];
}

/** Runs `m` on the calling thread: a hex SHA-256 for `hash`, a {@link CutResult} for `cut`. */
export function runTask(m: TaskMsg): string | CutResult {
  if (m.op === 'hash')
    return createHash('sha256')
      .update(new Uint8Array(m.sab, m.off, m.len))
      .digest('hex');
  const st = Float64Array.from(m.st);
  const cuts = scan(new Uint8Array(m.sab, m.base), m.start, m.end, st, m.p);
  return { cuts, st: [st[0]!, st[1]!] };
}
