/**
 * Worker-thread side of src/pool.ts: runs the {@link TaskMsg}s it is sent (src/task.ts) and
 * answers {id, ok, value | error}.
 */
import { parentPort } from 'node:worker_threads';
import { runTask, type TaskMsg } from './task.ts';

parentPort?.on('message', (m: TaskMsg & { id: number }) => {
  try {
    parentPort!.postMessage({ id: m.id, ok: true, value: runTask(m) });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
