import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ControlApi, ControlEvent, Status } from '../../src-shared/control.ts';
import { startControlServer, type ControlServer } from './http.ts';

// A fake engine behind the real transport and the real validating dispatcher.
const status: Status = {
  state: 'idle', server: null, email: null, device_name: null, folder: null,
  pending: { uploads: 0, downloads: 0, other: 0, bytes: 0 },
  progress: { done_bytes: 0, total_bytes: 0, eta_ms: null },
  held_deletes: null, error: null, issues: [], conflicts: 0, last_synced_at: null,
};
const calls: Array<[string, unknown]> = [];
const api = new Proxy({} as ControlApi, {
  get: (_t, name: string) => async (input: unknown) => {
    calls.push([name, input]);
    return name === 'status' ? status : name === 'excludeAdd' ? { excluded: ['x'] } : {};
  },
});

let srv: ControlServer;
let tmp: string;
const listeners = new Set<(e: ControlEvent) => void>();

beforeEach(async () => {
  calls.length = 0;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-control-'));
  await mkdir(path.join(tmp, 'ui'));
  await writeFile(path.join(tmp, 'ui/index.html'), '<h1>Cairn</h1>');
  srv = await startControlServer({
    api,
    subscribe: (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    uiDir: path.join(tmp, 'ui'),
  });
});
afterEach(async () => {
  await srv.close();
  await rm(tmp, { recursive: true, force: true });
});

/** Raw request so Host and Origin can be set freely. */
function req(p: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port: srv.port, path: p, method: opts.method ?? 'GET', headers: { host: `127.0.0.1:${srv.port}`, ...opts.headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    r.on('error', reject);
    r.end(opts.body);
  });
}
const auth = (): Record<string, string> => ({ authorization: `Bearer ${srv.secret}`, 'content-type': 'application/json' });

describe('control HTTP transport', () => {
  it('makes a 32-byte base64url secret and a UI URL with it in the fragment', () => {
    expect(Buffer.from(srv.secret, 'base64url')).toHaveLength(32);
    expect(srv.uiUrl).toBe(`http://127.0.0.1:${srv.port}/#secret=${srv.secret}`);
  });

  it('answers a method with the secret, never CORS headers', async () => {
    const r = await req('/control/status', { method: 'POST', headers: auth(), body: '{}' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).state).toBe('idle');
    expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control'))).toEqual([]);
  });

  it('refuses a missing or wrong secret (401) and reaches no method', async () => {
    expect((await req('/control/status', { method: 'POST', body: '{}' })).status).toBe(401);
    const r = await req('/control/pause', { method: 'POST', headers: { ...auth(), authorization: 'Bearer nope' }, body: '{}' });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error.code).toBe('unauthorized');
    expect(calls).toEqual([]);
  });

  it('refuses foreign Host and Origin headers (403), even with the secret', async () => {
    expect((await req('/control/status', { method: 'POST', headers: { ...auth(), host: `evil.example:${srv.port}` }, body: '{}' })).status).toBe(403);
    expect((await req('/control/status', { method: 'POST', headers: { ...auth(), origin: 'http://evil.example' }, body: '{}' })).status).toBe(403);
    expect((await req('/', { headers: { host: 'attacker.test' } })).status).toBe(403);
    const ok = await req('/control/status', { method: 'POST', headers: { ...auth(), host: `localhost:${srv.port}`, origin: `http://localhost:${srv.port}` }, body: '{}' });
    expect(ok.status).toBe(200);
    expect(calls.map((c) => c[0])).toEqual(['status']);
  });

  it('unknown methods and bad input are 400 bad_request and reach nothing', async () => {
    const r1 = await req('/control/format_disk', { method: 'POST', headers: auth(), body: '{}' });
    expect(r1.status).toBe(400);
    expect(JSON.parse(r1.body).error.code).toBe('bad_request');
    const r2 = await req('/control/excludeAdd', { method: 'POST', headers: auth(), body: '{"path": 42}' });
    expect(r2.status).toBe(400);
    const r3 = await req('/control/excludeAdd', { method: 'POST', headers: auth(), body: 'not json' });
    expect(r3.status).toBe(400);
    expect(calls).toEqual([]);
    const r4 = await req('/control/excludeAdd', { method: 'POST', headers: auth(), body: '{"path":"x"}' });
    expect(r4.status).toBe(200);
    expect(calls).toEqual([['excludeAdd', { path: 'x' }]]);
  });

  it('an oversized body is answered 413 at once and the rest is never read (connection closed)', async () => {
    const got = await new Promise<{ status: number; code: string }>((resolve, reject) => {
      // A chunked body that never ends: only an early answer can settle this request.
      const r = http.request({ host: '127.0.0.1', port: srv.port, path: '/control/excludeAdd', method: 'POST', headers: { host: `127.0.0.1:${srv.port}`, ...auth() } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(body) as { error: { code: string } }).error.code }));
      });
      r.on('error', () => undefined); // the server closes the socket under the unsent rest
      r.write(Buffer.alloc(2 * 1024 * 1024, 0x20));
      r.on('timeout', () => reject(new Error('timeout')));
    });
    expect(got).toEqual({ status: 413, code: 'body_too_large' });
    const declared = await req('/control/excludeAdd', { method: 'POST', headers: { ...auth(), 'content-length': String(2 * 1024 * 1024) }, body: ' '.repeat(2 * 1024 * 1024) });
    expect(declared.status).toBe(413);
    expect(calls).toEqual([]);
  });

  it('streams events as SSE behind the secret', async () => {
    const got = await new Promise<string>((resolve, reject) => {
      const r = http.request({ host: '127.0.0.1', port: srv.port, path: '/control/events', headers: { host: `127.0.0.1:${srv.port}`, authorization: `Bearer ${srv.secret}` } }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream');
        let buf = '';
        res.on('data', (c) => {
          buf += c;
          if (buf.includes('"activity"')) {
            r.destroy();
            resolve(buf);
          }
        });
        const iv = setInterval(() => {
          if (listeners.size > 0) {
            clearInterval(iv);
            for (const l of listeners) l({ type: 'activity', item: { id: 1, time: 1, path: 'a', action: 'uploaded', device_name: null, detail: null } });
          }
        }, 5);
      });
      r.on('error', reject);
      r.end();
    });
    expect(got).toContain('data: {"type":"status"');
    expect(got).toContain('data: {"type":"activity"');
    expect((await req('/control/events')).status).toBe(401);
  });

  it('serves the UI files without the secret, and nothing outside its folder', async () => {
    const r = await req('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('Cairn');
    expect((await req('/..%2f..%2fetc%2fpasswd')).body).not.toContain('root:');
  });

  it('serves a UI folder given as a relative path (cairn start --ui-dir), still nothing outside it', async () => {
    await writeFile(path.join(tmp, 'secret.txt'), 'outside the UI folder');
    const rel = path.relative(process.cwd(), path.join(tmp, 'ui'));
    const other = await startControlServer({ api, subscribe: () => () => {}, uiDir: rel });
    try {
      const get = (p: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          http
            .get({ host: '127.0.0.1', port: other.port, path: p, headers: { host: `127.0.0.1:${other.port}` } }, (res) => {
              let body = '';
              res.on('data', (c) => (body += c));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            })
            .on('error', reject);
        });
      expect(await get('/')).toEqual({ status: 200, body: '<h1>Cairn</h1>' });
      expect((await get('/..%2fsecret.txt')).body).not.toContain('outside');
    } finally {
      await other.close();
    }
  });
});
