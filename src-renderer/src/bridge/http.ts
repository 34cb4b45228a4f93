/**
 * Browser bridge (headless mode): the engine serves the UI on 127.0.0.1 and guards its
 * control API with a per-start secret. Calls are `POST /control/<method>` with a JSON body;
 * events come from `GET /control/events` as Server-Sent Events, read with fetch because
 * EventSource cannot send the Authorization header.
 */
import type { ControlEvent, ControlMethod } from '../../../src-shared/control.ts';
import { SseParser } from '../../../src-shared/sse.ts';
import { makeApi } from './api.ts';
import { ControlError } from './errors.ts';
import type { Bridge, Connection } from './types.ts';

/** Options of {@link createHttpBridge}; `fetch` and `sleep` are injectable for tests. */
export interface HttpBridgeOptions {
  /** Origin the engine serves on, e.g. `http://127.0.0.1:43111` (no trailing slash). */
  base: string;
  secret: string;
  fetch?: typeof fetch;
  /** Waits between reconnect attempts. */
  sleep?: (ms: number) => Promise<void>;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Decodes one SSE `data` payload into a ControlEvent (the transport sends typed JSON objects); null for anything else. */
export function decodeEvent(data: string): ControlEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (v.type === 'status' && v.status) return v as unknown as ControlEvent;
  if (v.type === 'activity' && v.item) return v as unknown as ControlEvent;
  return null;
}

/** Reads a failed response's `{ error: { code, message } }` body into a ControlError. */
async function errorOf(res: Response): Promise<ControlError> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    if (body?.error && typeof body.error.code === 'string') {
      return new ControlError(body.error.code, String(body.error.message ?? body.error.code));
    }
  } catch {
    // not JSON: fall through
  }
  return new ControlError(res.status === 401 ? 'unauthorized' : 'internal', `HTTP ${res.status}`);
}

/** A {@link Bridge} over the engine's local HTTP control transport. */
export function createHttpBridge(opts: HttpBridgeOptions): Bridge {
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const sleep = opts.sleep ?? sleepMs;
  const auth = { authorization: `Bearer ${opts.secret}` };
  const eventCbs = new Set<(e: ControlEvent) => void>();
  const connCbs = new Set<(c: Connection) => void>();
  let connection: Connection = 'connecting';
  // Each start of the stream loop gets a new generation; a loop whose generation is no longer
  // current ends at its next step. A stop followed at once by a start (a screen unsubscribes
  // and another subscribes) would otherwise leave the old loop running beside the new one.
  let generation = 0;
  let running = false;
  let abort: AbortController | null = null;

  const setConnection = (c: Connection) => {
    if (c === connection) return;
    connection = c;
    for (const cb of connCbs) cb(c);
  };

  const call = async (method: ControlMethod, input: unknown): Promise<unknown> => {
    let res: Response;
    try {
      res = await doFetch(`${opts.base}/control/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify(input ?? {}),
      });
    } catch (err) {
      throw new ControlError('network', err instanceof Error ? err.message : String(err));
    }
    if (!res.ok) {
      const e = await errorOf(res);
      if (res.status === 401 && e.code === 'unauthorized') setConnection('auth');
      throw e;
    }
    const text = await res.text();
    return text ? JSON.parse(text) : {};
  };

  /** One connection to the event stream of loop `gen`; resolves when it ends. */
  const readStream = async (gen: number): Promise<'ended' | 'auth' | 'stopped'> => {
    const ctrl = new AbortController();
    abort = ctrl;
    const res = await doFetch(`${opts.base}/control/events`, {
      headers: { accept: 'text/event-stream', ...auth },
      signal: ctrl.signal,
    });
    if (gen !== generation) {
      ctrl.abort();
      return 'stopped';
    }
    if (res.status === 401 || res.status === 403) return 'auth';
    if (!res.ok || !res.body) throw new ControlError('internal', `events: HTTP ${res.status}`);
    setConnection('live');
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    for (;;) {
      const { done, value } = await reader.read();
      if (gen !== generation) return 'stopped';
      if (done) return 'ended';
      for (const data of parser.push(decoder.decode(value, { stream: true }))) {
        const ev = decodeEvent(data);
        if (ev) for (const cb of eventCbs) cb(ev);
      }
    }
  };

  const loop = async (gen: number) => {
    let delay = 500;
    while (gen === generation) {
      try {
        const how = await readStream(gen);
        if (how === 'stopped') return;
        if (how === 'auth') {
          setConnection('auth');
          stop();
          return;
        }
        delay = 500;
      } catch {
        // connection refused or dropped: retry below
      }
      if (gen !== generation) return;
      setConnection('lost');
      await sleep(delay);
      delay = Math.min(delay * 2, 8000);
    }
  };

  const stop = () => {
    running = false;
    generation++;
    abort?.abort();
    abort = null;
  };
  const ensureRunning = () => {
    if (running) return;
    running = true;
    void loop(++generation);
  };
  const stopIfUnused = () => {
    if (eventCbs.size > 0 || connCbs.size > 0) return;
    stop();
  };

  return {
    kind: 'http',
    api: makeApi(call),
    onEvent(cb) {
      eventCbs.add(cb);
      ensureRunning();
      return () => {
        eventCbs.delete(cb);
        stopIfUnused();
      };
    },
    onConnection(cb) {
      connCbs.add(cb);
      cb(connection);
      ensureRunning();
      return () => {
        connCbs.delete(cb);
        stopIfUnused();
      };
    },
  };
}
