/**
 * What the UI needs from a transport: the typed control API, a stream of events, and the
 * health of that stream. Both bridges (Electron preload, browser HTTP) implement it.
 */
import type { ControlApi, ControlEvent } from '../../../src-shared/control.ts';

/** Health of the event stream: `auth` means the secret was refused (a stale link). */
export type Connection = 'connecting' | 'live' | 'lost' | 'auth';

/** A transport to the engine's control service. */
export interface Bridge {
  readonly kind: 'electron' | 'http';
  readonly api: ControlApi;
  /** Calls `cb` for each event; returns an unsubscribe function. */
  onEvent(cb: (event: ControlEvent) => void): () => void;
  /** Calls `cb` when the event stream's health changes; returns an unsubscribe function. */
  onConnection(cb: (c: Connection) => void): () => void;
}

/** The object the Electron preload puts on `window.cairn` (and nothing else). */
export interface PreloadApi {
  call(method: string, input: unknown): Promise<unknown>;
  onEvent(cb: (event: ControlEvent) => void): () => void;
}
