/**
 * Electron bridge: the preload exposes `window.cairn` (see src-main/shell/preload.ts). The
 * main process answers each call with an envelope — `{ ok: true, result }` or
 * `{ ok: false, error: { code, message } }` — because contextBridge drops an Error's custom
 * fields and would lose the stable code.
 */
import { makeApi } from './api.ts';
import { ControlError } from './errors.ts';
import type { Bridge, Connection, PreloadApi } from './types.ts';

/** The IPC reply envelope (shared shape with src-main/shell/ipc.ts). */
export type IpcReply =
  { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

/** A {@link Bridge} over the preload's `window.cairn`. */
export function createElectronBridge(preload: PreloadApi): Bridge {
  const api = makeApi(async (method, input) => {
    let reply: IpcReply;
    try {
      reply = (await preload.call(method, input)) as IpcReply;
    } catch (err) {
      throw new ControlError('network', err instanceof Error ? err.message : String(err));
    }
    if (!reply || typeof reply !== 'object') throw new ControlError('internal', 'malformed IPC reply');
    if (reply.ok) return reply.result;
    throw new ControlError(reply.error.code, reply.error.message);
  });
  return {
    kind: 'electron',
    api,
    onEvent: (cb) => preload.onEvent(cb),
    // IPC lives as long as the window: the stream is always up.
    onConnection(cb: (c: Connection) => void) {
      cb('live');
      return () => {};
    },
  };
}
