/**
 * Attaching to an engine that already runs for the home (`cairn start` as a daemon): the
 * desktop app then is one more client of that engine's HTTP control API instead of opening
 * the state DB a second time. Calls go through control's `callControl`; events are read
 * from `GET /control/events` (Server-Sent Events) with fetch, reconnecting with back-off.
 */
import { callControl, type ControlInfo } from '../control/index.ts';
import {
  controlMethods,
  type ControlApi,
  type ControlEvent,
  type ControlMethod,
} from '../../src-shared/control.ts';
import type { ShellControl } from './control-port.ts';

/** Splits an SSE text stream into `data:` payloads (one per blank-line-terminated message). */
export function sseData(buffer: string): { messages: string[]; rest: string } {
  const messages: string[] = [];
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    const data = block
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''));
    if (data.length) messages.push(data.join('\n'));
  }
  return { messages, rest };
}

/** A ShellControl over the HTTP control API of the engine running for `home`. */
export function attachControl(
  home: string,
  info: ControlInfo,
  opts: { retryMs?: number } = {},
): ShellControl {
  const api = {} as Record<string, (input: unknown) => Promise<unknown>>;
  for (const m of Object.keys(controlMethods) as ControlMethod[])
    api[m] = (input) => callControl(home, m, (input ?? {}) as never);
  const subs = new Set<(e: ControlEvent) => void>();
  let abort: AbortController | null = null;
  let running = false;

  const readOnce = async (): Promise<void> => {
    abort = new AbortController();
    const res = await fetch(`http://127.0.0.1:${info.port}/control/events`, {
      headers: { authorization: `Bearer ${info.secret}` },
      signal: abort.signal,
    });
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      const { messages, rest } = sseData(buffer + decoder.decode(chunk as Uint8Array, { stream: true }));
      buffer = rest;
      for (const m of messages) {
        try {
          const ev = JSON.parse(m) as ControlEvent;
          for (const cb of subs) cb(ev);
        } catch {
          // not an event: ignore
        }
      }
    }
  };
  const loop = async () => {
    let delay = opts.retryMs ?? 500;
    while (running) {
      try {
        await readOnce();
        delay = opts.retryMs ?? 500;
      } catch {
        // engine restarting or gone: retry
      }
      if (!running) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };

  return {
    api: api as unknown as ControlApi,
    subscribe(cb) {
      subs.add(cb);
      if (!running) {
        running = true;
        void loop();
      }
      return () => {
        subs.delete(cb);
        if (subs.size === 0) {
          running = false;
          abort?.abort();
        }
      };
    },
    // The engine belongs to `cairn start`: quitting the desktop app leaves it running.
    async stop() {
      running = false;
      subs.clear();
      abort?.abort();
    },
  };
}
