/**
 * The one seam between the Electron shell and the sync engine: the shell never builds an
 * engine itself, it asks an injected {@link OpenControl} for a running control service.
 * `wiring.ts` provides the real one (engine + src-main/control, in-process); tests pass fakes.
 */
import type { ControlApi, ControlEvent } from '../../src-shared/control.ts';
import type { SafeStorageLike } from './token-store.ts';

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
  /**
   * Electron's safeStorage: an engine run in-process keeps a device token it gets (first run)
   * encrypted with it instead of in device.json (docs/decisions.md D28).
   */
  safeStorage?: SafeStorageLike;
  /** Built renderer, served by the engine's HTTP control transport for browser mode. */
  uiDir?: string;
  /**
   * Called when the control service was attached to an engine run by `cairn start` and that
   * engine is gone (no live engine for the home): the shell then opens the control service
   * again, which runs the engine in-process.
   */
  onEngineGone?: () => void;
}

/** Starts the engine and its control service for `home`. */
export type OpenControl = (opts: OpenControlOptions) => Promise<ShellControl>;

/** A {@link ShellControl} whose underlying service can be replaced while it is in use. */
export interface SwitchableControl extends ShellControl {
  /** Moves every call and subscription to `next` (subscribers are re-subscribed there). */
  switchTo(next: ShellControl): void;
}

/**
 * Wraps `first` so the shell can swap the service under the IPC handler, the tray and open
 * windows (when an attached `cairn start` engine goes away and the app takes over) without
 * re-registering any of them.
 */
export function switchableControl(first: ShellControl): SwitchableControl {
  let current = first;
  const subs = new Map<(e: ControlEvent) => void, () => void>();
  const api = new Proxy({} as ControlApi, {
    get: (_t, method: string | symbol) =>
      typeof method === 'string'
        ? (input: unknown) =>
            (current.api as unknown as Record<string, (i: unknown) => Promise<unknown>>)[method]!(input)
        : undefined,
  });
  return {
    api,
    subscribe(cb) {
      subs.set(cb, current.subscribe(cb));
      return () => {
        subs.get(cb)?.();
        subs.delete(cb);
      };
    },
    stop: () => current.stop(),
    switchTo(next) {
      current = next;
      for (const [cb, off] of subs) {
        off();
        subs.set(cb, next.subscribe(cb));
      }
    },
  };
}
