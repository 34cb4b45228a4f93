/**
 * Preload (sandboxed, context-isolated): exposes `window.cairn` — one `call` and one
 * `onEvent` — and nothing else. No Node, no ipcRenderer, no raw event objects cross over.
 * Bundled to CommonJS (sandboxed preloads cannot be ES modules).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

// Channel names are repeated here (not imported from ipc.ts) so the preload bundle stays tiny.
const CALL_CHANNEL = 'cairn:call';
const EVENT_CHANNEL = 'cairn:event';

contextBridge.exposeInMainWorld('cairn', {
  /** Calls a control method; resolves with the main process's reply envelope. */
  call: (method: string, input: unknown): Promise<unknown> =>
    ipcRenderer.invoke(CALL_CHANNEL, String(method), input),
  /** Subscribes to control events; returns an unsubscribe function. */
  onEvent: (cb: (event: unknown) => void): (() => void) => {
    const listener = (_e: IpcRendererEvent, event: unknown) => cb(event);
    ipcRenderer.on(EVENT_CHANNEL, listener);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, listener);
    };
  },
});
