import { describe, expect, it, vi } from 'vitest';
import { createHttpBridge, decodeEvent } from './http.ts';
import { createElectronBridge } from './electron.ts';
import { pickBridge, takeSecret, type PageEnv } from './pick.ts';
import { ControlError } from './errors.ts';
import type { ControlEvent } from '../../../src-shared/control.ts';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function sseResponse(chunks: string[]): Response {
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

describe('http bridge', () => {
  it('posts JSON with the bearer secret and returns the body', async () => {
    const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) =>
      json(200, { items: [] }),
    );
    const b = createHttpBridge({
      base: 'http://127.0.0.1:9',
      secret: 's3cret',
      fetch: fetch as unknown as typeof globalThis.fetch,
    });
    await expect(b.api.activity({ limit: 5 })).resolves.toEqual({ items: [] });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('http://127.0.0.1:9/control/activity');
    expect(init!.method).toBe('POST');
    expect((init!.headers as Record<string, string>).authorization).toBe('Bearer s3cret');
    expect(init!.body).toBe('{"limit":5}');
  });

  it('turns an error body into a ControlError with its code', async () => {
    const fetch = async () => json(404, { error: { code: 'not_found', message: 'no such file' } });
    const b = createHttpBridge({ base: '', secret: 'x', fetch: fetch as unknown as typeof globalThis.fetch });
    const err = await b.api.history({ path: 'a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlError);
    expect(err).toMatchObject({ code: 'not_found', message: 'no such file' });
  });

  it('reports a refused connection as the network code', async () => {
    const fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    const b = createHttpBridge({ base: '', secret: 'x', fetch: fetch as unknown as typeof globalThis.fetch });
    await expect(b.api.status({})).rejects.toMatchObject({ code: 'network' });
  });

  it('streams events, then reconnects after the stream ends', async () => {
    const status = { state: 'idle' };
    let n = 0;
    const fetch = async (url: string) => {
      expect(url).toBe('/control/events');
      n++;
      if (n === 1) return sseResponse([`data: ${JSON.stringify({ type: 'status', status })}\n`, '\n']);
      if (n === 2) return sseResponse([`: ping\n\ndata: {"type":"activity","item":{"id":1,"path":"a"}}\n\n`]);
      return new Promise<Response>(() => {}); // a stream that never answers: no busy loop
    };
    const sleeps: number[] = [];
    const b = createHttpBridge({
      base: '',
      secret: 'x',
      fetch: fetch as unknown as typeof globalThis.fetch,
      sleep: async (ms) => void sleeps.push(ms),
    });
    const got: ControlEvent[] = [];
    const conns: string[] = [];
    const off1 = b.onConnection((c) => conns.push(c));
    const off2 = b.onEvent((e) => got.push(e));
    await vi.waitFor(() => expect(got.length).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    off1();
    off2();
    expect(got[0]).toEqual({ type: 'status', status });
    expect(got[1]).toEqual({ type: 'activity', item: { id: 1, path: 'a' } });
    expect(conns.slice(0, 3)).toEqual(['connecting', 'live', 'lost']);
    expect(sleeps[0]).toBe(500);
  });

  it('stops and reports auth when the secret is refused', async () => {
    const fetch = vi.fn(async () => json(401, { error: { code: 'unauthorized', message: 'bad secret' } }));
    const b = createHttpBridge({
      base: '',
      secret: 'x',
      fetch: fetch as unknown as typeof globalThis.fetch,
      sleep: async () => {},
    });
    const conns: string[] = [];
    b.onConnection((c) => conns.push(c));
    await vi.waitFor(() => expect(conns).toContain('auth'), { timeout: 10_000 });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('decodes typed events, drops junk', () => {
    expect(decodeEvent('not json')).toBeNull();
    expect(decodeEvent('{"type":"other"}')).toBeNull();
    expect(decodeEvent('{"state":"idle"}')).toBeNull(); // not a typed event
    expect(decodeEvent('{"type":"status","status":{"state":"idle"}}')).toEqual({
      type: 'status',
      status: { state: 'idle' },
    });
  });

  it('a stop followed at once by a start leaves one stream loop, not two', async () => {
    // Like the real fetch: the stream never ends by itself, and aborting rejects the call.
    const signals: AbortSignal[] = [];
    const fetch = vi.fn(
      (_url: string, init: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          signals.push(init.signal!);
          init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    const sleeps: number[] = [];
    const b = createHttpBridge({
      base: '',
      secret: 'x',
      fetch: fetch as unknown as typeof globalThis.fetch,
      sleep: async (ms) => void sleeps.push(ms),
    });
    const off = b.onEvent(() => {});
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    off(); // aborts the first stream…
    const off2 = b.onEvent(() => {}); // …and a new subscriber starts again right away
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(2), { timeout: 10_000 });
    // Let the aborted first call's rejection run through its loop (a macrotask is enough).
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(signals[0]!.aborted).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(2); // the old loop did not reconnect beside the new one
    expect(sleeps).toEqual([]);
    off2();
    expect(signals[1]!.aborted).toBe(true);
  });
});

describe('electron bridge', () => {
  it('unwraps ok replies and rethrows error envelopes with their code', async () => {
    const call = vi.fn(async (method: string) =>
      method === 'status'
        ? { ok: true, result: { state: 'idle' } }
        : { ok: false, error: { code: 'bad_request', message: 'nope' } },
    );
    const b = createElectronBridge({ call, onEvent: () => () => {} });
    await expect(b.api.status({})).resolves.toEqual({ state: 'idle' });
    await expect(b.api.pause({})).rejects.toMatchObject({ code: 'bad_request', message: 'nope' });
    expect(call).toHaveBeenCalledWith('pause', {});
  });
});

function env(
  hash: string,
  stored: string | null = null,
  cairn?: PageEnv['cairn'],
): PageEnv & { replaced: string[]; store: Map<string, string> } {
  const store = new Map<string, string>();
  if (stored) store.set('cairn.secret', stored);
  const replaced: string[] = [];
  return {
    cairn,
    location: { hash, origin: 'http://127.0.0.1:5', pathname: '/', search: '' },
    history: { replaceState: (_d, _u, url) => void replaced.push(url ?? '') },
    sessionStorage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) },
    replaced,
    store,
  };
}

describe('pickBridge', () => {
  it('takes the secret from the fragment, hides it and keeps it for reloads', () => {
    const e = env('#secret=abc%2Bd');
    expect(takeSecret(e)).toBe('abc+d');
    expect(e.replaced).toEqual(['/']);
    expect(e.store.get('cairn.secret')).toBe('abc+d');
  });

  it('a malformed fragment counts as no secret instead of throwing', () => {
    const e = env('#secret=%E0');
    expect(takeSecret(e)).toBeNull();
    expect(pickBridge(env('#secret=%E0%A4'))).toEqual({ error: 'no_secret' });
    // …and a malformed one does not hide a good secret kept for reloads
    expect(takeSecret(env('#secret=%E0', 'kept'))).toBe('kept');
  });

  it('falls back to sessionStorage, and fails without any secret', () => {
    expect(takeSecret(env('', 'kept'))).toBe('kept');
    expect(pickBridge(env(''))).toEqual({ error: 'no_secret' });
  });

  it('prefers the Electron preload when present', () => {
    const picked = pickBridge(env('#secret=x', null, { call: async () => ({}), onEvent: () => () => {} }));
    expect('bridge' in picked && picked.bridge.kind).toBe('electron');
    const http = pickBridge(env('#secret=x'));
    expect('bridge' in http && http.bridge.kind).toBe('http');
  });
});

describe('screenFromHash', () => {
  it('reads known screens only', async () => {
    const { screenFromHash } = await import('./route.ts');
    expect(screenFromHash('#screen=preferences')).toBe('preferences');
    expect(screenFromHash('#secret=x&screen=conflicts')).toBe('conflicts');
    expect(screenFromHash('#screen=evil')).toBeNull();
    expect(screenFromHash('')).toBeNull();
  });
});
