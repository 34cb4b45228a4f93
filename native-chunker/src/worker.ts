/**
 * Worker-thread side of src/pool.ts: cuts and hashes ranges of SharedArrayBuffers it is sent.
 * Messages: {id, op:'cut', sab, base, start, end, st:[fp,len], p} → {cuts, st};
 *           {id, op:'hash', sab, off, len} → hex SHA-256.
 */
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { scan } from './chunker.ts';
import type { ResolvedParams } from './params.ts';

type Msg =
  | { id: number; op: 'cut'; sab: SharedArrayBuffer; base: number; start: number; end: number; st: number[]; p: ResolvedParams }
  | { id: number; op: 'hash'; sab: SharedArrayBuffer; off: number; len: number };

parentPort?.on('message', (m: Msg) => {
  try {
    if (m.op === 'hash') {
      const value = createHash('sha256').update(new Uint8Array(m.sab, m.off, m.len)).digest('hex');
      parentPort!.postMessage({ id: m.id, ok: true, value });
    } else {
      const st = Float64Array.from(m.st);
      const cuts = scan(new Uint8Array(m.sab, m.base), m.start, m.end, st, m.p);
      parentPort!.postMessage({ id: m.id, ok: true, value: { cuts, st: [st[0], st[1]] } });
    }
  } catch (err) {
    parentPort!.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
