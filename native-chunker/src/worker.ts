/**
 * Worker-thread side of src/pool.ts: runs the {@link TaskMsg}s it is sent (src/task.ts) and
 * answers {id, ok, value | error}.
 *
 * It first posts {ready: true}: the module body runs only once this script and everything it
 * imports (the addon included) have loaded, which is what "this worker can work" means. The
 * worker's 'online' event is no such signal: it fires before the script is even resolved, so a
 * missing or unloadable script (a bundle that did not ship it, app.asar) emits 'online' and then
 * dies.
 */
import { parentPort } from 'node:worker_threads';
import { runTask, type TaskMsg } from './task.ts';

/** What a failed task sends back: enough to rebuild a ChunkerError on the pool's side. */
export interface WorkerError {
  name: string;
  message: string;
  /** The ChunkerError code when the task threw one (errors lose their class across threads). */
  code?: string;
}

parentPort?.on('message', (m: TaskMsg & { id: number }) => {
  try {
    parentPort!.postMessage({ id: m.id, ok: true, value: runTask(m) });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const error: WorkerError = { name: e.name, message: e.message };
    const code = (err as { code?: unknown } | null | undefined)?.code;
    if (typeof code === 'string') error.code = code;
    parentPort!.postMessage({ id: m.id, ok: false, error });
  }
});
parentPort?.postMessage({ ready: true });
