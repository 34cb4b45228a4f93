/**
 * Window security: the renderer is served from a privileged custom scheme (`app://cairn/`)
 * with a strict Content-Security-Policy header; windows run context-isolated, sandboxed,
 * without Node; navigation away from the app, new windows, webviews and permission
 * requests are all refused.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Protocol, Session, WebContents, WebPreferences } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'cairn';
/** Origin prefix of every renderer URL. */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/`;

/** The renderer's CSP (also a meta tag in index.html; as a header `frame-ancestors` works too). */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** True for URLs of our own renderer. */
export function isAppUrl(url: string): boolean {
  return url.startsWith(APP_URL);
}

/** webPreferences of every Cairn window. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** Refuses navigation away from the app, new windows and webviews for one WebContents. */
export function hardenWebContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>): void {
  const refuseForeign = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', refuseForeign as never);
  contents.on('will-redirect', refuseForeign as never);
  contents.on('will-attach-webview', ((event: { preventDefault(): void }) =>
    event.preventDefault()) as never);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Denies every permission request (camera, notifications from the page, …): the UI needs none. */
export function denyPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Must run before `app` is ready: makes `app://` a standard, secure scheme. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true } },
  ]);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Answers one `app://cairn/<path>` request from `distDir` (404 outside it), with the CSP header. */
export async function rendererResponse(distDir: string, requestUrl: string): Promise<Response> {
  const url = new URL(requestUrl);
  if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
  const root = path.resolve(distDir);
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return new Response('bad path', { status: 400 });
  }
  const file = path.resolve(root, `.${rel === '/' ? '/index.html' : rel}`);
  if (!file.startsWith(root + path.sep)) return new Response('not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      status: 200,
      headers: {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
      },
    });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

/** Serves the built renderer on `app://cairn/` (after `app` is ready). */
export function serveRenderer(protocol: Pick<Protocol, 'handle'>, distDir: string): void {
  protocol.handle(APP_SCHEME, (request) => rendererResponse(distDir, request.url));
}
