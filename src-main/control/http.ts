/**
 * HTTP transport of the control API for headless / browser mode and the CLI.
 *
 * Listens on 127.0.0.1 only, on a random port, guarded by a random secret made at each
 * start (32 bytes, base64url) — the way Syncthing guards its GUI with an API key:
 * - `POST /control/<method>`: JSON body, header `Authorization: Bearer <secret>`.
 * - `GET /control/events`: Server-Sent Events (`data: <ControlEvent JSON>`), same header.
 * - `GET /…`: the UI's static files from `src-renderer/dist/` (no secret: they hold no data).
 * Every request must carry `Host: 127.0.0.1:PORT` or `localhost:PORT`, and an `Origin`,
 * when present, must be `http://127.0.0.1:PORT` or `http://localhost:PORT`: anything else is
 * 403, so neither DNS rebinding nor another web page can drive it. No CORS headers, ever.
 * Errors answer `{ error: { code, message } }` with the code's HTTP status.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError } from '../../src-shared/errors.ts';
import type { ControlApi, ControlEvent } from '../../src-shared/control.ts';
import { dispatch } from './service.ts';

/** Default folder of the built UI. */
export const DEFAULT_UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src-renderer/dist');

/** Options of {@link startControlServer}. */
export interface ControlServerOptions {
  api: ControlApi;
  /** Subscribes to control events; returns an unsubscribe function. */
  subscribe: (cb: (e: ControlEvent) => void) => () => void;
  /** Port (default 0 = random). */
  port?: number;
  /** Folder of static UI files, e.g. `cairn start --ui-dir` (default src-renderer/dist; 404 `not_found` when missing). */
  uiDir?: string;
  /** Fixed secret (tests); default: 32 random bytes, base64url. */
  secret?: string;
}

/** A running control server. */
export interface ControlServer {
  port: number;
  secret: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The UI URL with the secret in the fragment. */
  uiUrl: string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

function sendError(res: http.ServerResponse, err: CairnError): void {
  const body = JSON.stringify(err.toBody());
  res.writeHead(err.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

function secretMatches(header: string | undefined, secret: string): boolean {
  const m = /^Bearer (.+)$/u.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1] as string);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Starts the control server on 127.0.0.1.
 * @throws when the port cannot be bound
 */
export async function startControlServer(opts: ControlServerOptions): Promise<ControlServer> {
  const secret = opts.secret ?? randomBytes(32).toString('base64url');
  // Absolute and normalised: the containment check below compares resolved paths with it.
  const uiDir = path.resolve(opts.uiDir ?? DEFAULT_UI_DIR);
  let port = 0;
  const streams = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const host = req.headers.host ?? '';
    const allowed = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!allowed.includes(host)) return sendError(res, new CairnError('forbidden', 'bad Host header'));
    const origin = req.headers.origin;
    if (origin !== undefined && !allowed.some((h) => origin === `http://${h}`)) return sendError(res, new CairnError('forbidden', 'bad Origin header'));
    const url = new URL(req.url ?? '/', `http://${host}`);

    if (url.pathname.startsWith('/control/')) {
      if (!secretMatches(req.headers.authorization, secret)) return sendError(res, new CairnError('unauthorized', 'missing or wrong control secret'));
      const method = url.pathname.slice('/control/'.length);
      if (method === 'events') {
        if (req.method !== 'GET') return sendError(res, new CairnError('bad_request', 'use GET for events'));
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': cairn control events\n\n');
        streams.add(res);
        const unsub = opts.subscribe((e) => res.write(`data: ${JSON.stringify(e)}\n\n`));
        void opts.api.status({}).then((status) => res.write(`data: ${JSON.stringify({ type: 'status', status })}\n\n`)).catch(() => undefined);
        const beat = setInterval(() => res.write(': ping\n\n'), 15_000);
        req.on('close', () => {
          clearInterval(beat);
          unsub();
          streams.delete(res);
        });
        return;
      }
      if (req.method !== 'POST') return sendError(res, new CairnError('bad_request', 'use POST for control methods'));
      const ctype = req.headers['content-type'] ?? 'application/json';
      if (!ctype.startsWith('application/json')) return sendError(res, new CairnError('unsupported_media_type'));
      const chunks: Buffer[] = [];
      let size = 0;
      let tooBig = false;
      // An oversized body is answered at once and the rest is never read: the connection is
      // closed once the answer is out (reading it to the end would let a client stream forever).
      const refuse = (): void => {
        tooBig = true;
        res.setHeader('connection', 'close');
        sendError(res, new CairnError('body_too_large'));
        res.once('finish', () => req.destroy());
      };
      if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) return refuse();
      req.on('data', (c: Buffer) => {
        if (tooBig) return;
        size += c.length;
        if (size > MAX_BODY) refuse();
        else chunks.push(c);
      });
      req.on('end', () => {
        if (tooBig) return;
        let input: unknown = {};
        const text = Buffer.concat(chunks).toString('utf8');
        if (text.trim() !== '') {
          try {
            input = JSON.parse(text);
          } catch {
            return sendError(res, new CairnError('bad_request', 'body is not JSON'));
          }
        }
        dispatch(opts.api, method, input).then(
          (out) => {
            const body = JSON.stringify(out ?? {});
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
            res.end(body);
          },
          (e: unknown) => sendError(res, e instanceof CairnError ? e : new CairnError('internal', String(e))),
        );
      });
      return;
    }

    // Static UI files (no secret: they hold no data).
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, new CairnError('bad_request', 'method not allowed'));
    if (!existsSync(uiDir)) return sendError(res, new CairnError('not_found', 'the UI is not built (npm run build:ui)'));
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return sendError(res, new CairnError('bad_request', 'bad path'));
    }
    let file = path.resolve(uiDir, `.${rel}`);
    if (file !== uiDir && !file.startsWith(`${uiDir}${path.sep}`)) return sendError(res, new CairnError('not_found'));
    if (!existsSync(file) || statSync(file).isDirectory()) file = path.join(uiDir, 'index.html');
    if (!existsSync(file)) return sendError(res, new CairnError('not_found'));
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    port,
    secret,
    url,
    uiUrl: `${url}/#secret=${secret}`,
    close: async () => {
      for (const s of streams) s.end();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
