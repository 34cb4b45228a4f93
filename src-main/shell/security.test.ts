import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

vi.mock('electron', () => ({}));

import {
  CSP,
  denyPermissions,
  hardenWebContents,
  isAppUrl,
  rendererResponse,
  secureWebPreferences,
} from './security.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

describe('window security', () => {
  it('the CSP refuses form submissions, and the renderer’s meta tag carries the same policy', () => {
    const directives = CSP.split(';').map((d) => d.trim());
    for (const d of ["form-action 'none'", "script-src 'self'", "object-src 'none'", "base-uri 'none'"])
      expect(directives).toContain(d);
    const html = readFileSync(path.resolve(import.meta.dirname, '../../src-renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(CSP);
  });

  it('web preferences isolate and sandbox the renderer', () => {
    expect(secureWebPreferences('/p.cjs')).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      webSecurity: true,
      preload: '/p.cjs',
    });
  });

  it('refuses navigation away from the app, new windows and webviews', () => {
    const handlers: Record<string, (e: { preventDefault(): void }, url?: string) => void> = {};
    let openHandler: (() => { action: string }) | null = null;
    hardenWebContents({
      on: ((n: string, f: never) => void (handlers[n] = f)) as never,
      setWindowOpenHandler: ((f: never) => void (openHandler = f)) as never,
    });
    const nav = (url: string) => {
      const e = { preventDefault: vi.fn() };
      handlers['will-navigate']!(e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(nav('https://evil.example/')).toBe(true);
    expect(nav('file:///etc/passwd')).toBe(true);
    expect(nav('app://cairn/index.html#screen=preferences')).toBe(false);
    expect(openHandler!()).toEqual({ action: 'deny' });
    const e = { preventDefault: vi.fn() };
    handlers['will-attach-webview']!(e);
    expect(e.preventDefault).toHaveBeenCalled();
    expect(isAppUrl('app://cairn.evil/')).toBe(false);
  });

  it('denies every permission request', () => {
    let req: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    let check: (() => boolean) | null = null;
    denyPermissions({
      setPermissionRequestHandler: ((f: never) => void (req = f)) as never,
      setPermissionCheckHandler: ((f: never) => void (check = f)) as never,
    });
    const cb = vi.fn();
    req!(null, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
    expect(check!()).toBe(false);
  });

  it('serves the renderer with the CSP header and nothing outside its folder', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-shell-'));
    await mkdir(path.join(dir, 'dist/assets'), { recursive: true });
    await writeFile(path.join(dir, 'dist/index.html'), '<!doctype html>');
    await writeFile(path.join(dir, 'dist/assets/a.js'), 'x');
    await writeFile(path.join(dir, 'secret.txt'), 'no');
    const dist = path.join(dir, 'dist');
    const ok = await rendererResponse(dist, 'app://cairn/');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CSP);
    expect((await rendererResponse(dist, 'app://cairn/assets/a.js')).headers.get('content-type')).toMatch(
      /javascript/,
    );
    expect((await rendererResponse(dist, 'app://cairn/../secret.txt')).status).toBe(404);
    expect((await rendererResponse(dist, 'app://cairn/%2e%2e/secret.txt')).status).toBe(404);
    expect((await rendererResponse(dist, 'app://other/index.html')).status).toBe(404);
  });
});
