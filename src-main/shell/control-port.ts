/**
 * The one seam between the Electron shell and the sync engine: the shell never builds an
 * engine itself, it asks an injected {@link OpenControl} for a running control service.
 * `wiring.ts` provides the real one (engine + src-main/control, in-process); tests pass fakes.
 */
import type { ControlApi, ControlEvent } from '../../src-shared/control.ts';

/** A running control service, as the shell uses it. */
export interface ShellControl {
  /** The typed control API (the IPC layer validates every call before it gets here). */
  readonly api: ControlApi;
  /** Subscribes to status and activity events; returns an unsubscribe function. */
  subscribe(cb: (event: ControlEvent) => void): () => void;
  /** Stops syncing and releases the state DB (called once, at quit). */
  stop(): Promise<void>;
}

/** Options the shell passes when it opens the control service. */
export interface OpenControlOptions {
  /** The device home (state DB, credentials), e.g. `app.getPath('userData')/device`. */
  home: string;
  /** Built renderer, served by the engine's HTTP control transport for browser mode. */
  uiDir?: string;
}

/** Starts the engine and its control service for `home`. */
export type OpenControl = (opts: OpenControlOptions) => Promise<ShellControl>;
