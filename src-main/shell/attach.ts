/**
 * Attaching to an engine that already runs for the home (`cairn start` as a daemon): the
 * desktop app then is one more client of that engine's HTTP control API instead of opening
 * the state DB a second time. Calls go through control's `callControl` (which reads
 * `<home>/control.json` each time); events are read from `GET /control/events` (Server-Sent
 * Events) with fetch, reconnecting with back-off. Each reconnect reads `control.json` again:
 * a restarted `cairn start` listens on a new port with a new secret. Whether an engine runs
 * for the home is its home lock (engine/home-lock.ts), not control.json's pid, which a stale
 * file and a recycled pid can fake. When none runs any more, `onEngineGone` tells the shell,
 * which then runs the engine itself.
 */
import { callControl, homeHolder, readControlInfo, type ControlInfo } from '../control/index.ts';
import {
  controlMethods,
  type ControlApi,
  type ControlEvent,
  type ControlMethod,
} from '../../src-shared/control.ts';
import { SseParser } from '../../src-shared/sse.ts';
import type { ShellControl } from './control-port.ts';

/** Options of {@link attachControl}; the last two are injectable for tests. */
export interface AttachOptions {
  /** First reconnect delay (doubles up to 10 s). Default 500 ms. */
  retryMs?: number;
  /**
   * Called once when a reconnect finds no engine holding the home `goneAfter` times in a row;
   * the event stream then stops for good. An engine that holds it but has not written
   * `control.json` yet (still starting) is waited for.
   */
  onEngineGone?: () => void;
  /** Consecutive "no engine" reconnects before {@link onEngineGone}. Default 2: a `cairn start` restart has a short gap. */
  goneAfter?: number;
  readInfo?: (home: string) => ControlInfo | null;
  /** True while an engine runs for the home. Default: its home lock is held. */
  isRunning?: (home: string) => boolean;
}

/**
 * A ShellControl over the HTTP control API of the engine running for `home`; `first` is its
 * `control.json` as last read (null while that engine is still starting).
 */
export function attachControl(home: string, first: ControlInfo | null, opts: AttachOptions = {}): ShellControl {
  const readInfo = opts.readInfo ?? readControlInfo;
  const isRunning = opts.isRunning ?? ((h: string) => homeHolder(h) !== null);
  const retryMs = opts.retryMs ?? 500;
  const goneAfter = opts.goneAfter ?? 2;
  const api = {} as Record<string, (input: unknown) => Promise<unknown>>;
  for (const m of Object.keys(controlMethods) as ControlMethod[])
    api[m] = (input) => callControl(home, m, (input ?? {}) as never);
  const subs = new Set<(e: ControlEvent) => void>();
  let abort: AbortController | null = null;
  // Same scheme as the browser bridge: a loop ends when its generation is no longer current.
  let generation = 0;
  let running = false;
  let gone = false;
  // The engine's latest known address; re-read from control.json at each reconnect.
  let info: ControlInfo | null = first;

  const readOnce = async (gen: number, at: ControlInfo): Promise<void> => {
    const ctrl = new AbortController();
    abort = ctrl;
    const res = await fetch(`http://127.0.0.1:${at.port}/control/events`, {
      headers: { authorization: `Bearer ${at.secret}` },
      signal: ctrl.signal,
    });
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
    const decoder = new TextDecoder();
    const parser = new SseParser();
    for await (const chunk of res.body) {
      if (gen !== generation) return;
      for (const data of parser.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
        let ev: ControlEvent;
        try {
          ev = JSON.parse(data) as ControlEvent;
        } catch {
          continue; // not an event: ignore
        }
        for (const cb of subs) cb(ev);
      }
    }
  };

  const loop = async (gen: number) => {
    let delay = retryMs;
    let missing = 0;
    while (gen === generation) {
      if (isRunning(home)) {
        missing = 0;
        try {
          if (info) await readOnce(gen, info);
          delay = retryMs;
        } catch {
          // engine restarting or gone: retry below
        }
      } else if (++missing >= goneAfter) {
        running = false;
        generation++;
        gone = true;
        opts.onEngineGone?.();
        return;
      }
      if (gen !== generation) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
      // `cairn start` may have restarted on another port with another secret.
      info = readInfo(home);
    }
  };

  const stopStream = () => {
    running = false;
    generation++;
    abort?.abort();
    abort = null;
  };

  return {
    api: api as unknown as ControlApi,
    subscribe(cb) {
      subs.add(cb);
      if (!running && !gone) {
        running = true;
        void loop(++generation);
      }
      return () => {
        subs.delete(cb);
        if (subs.size === 0) stopStream();
      };
    },
    // The engine belongs to `cairn start`: quitting the desktop app leaves it running.
    async stop() {
      subs.clear();
      stopStream();
    },
  };
}
