/**
 * Picks the bridge for this page: the Electron preload when `window.cairn` exists, else the
 * browser bridge with the secret from the URL fragment (`#secret=…`). The secret is then
 * removed from the address bar (so it does not linger in history or screenshots) and kept
 * in sessionStorage so a reload of the same tab still works.
 */
import { createElectronBridge } from './electron.ts';
import { createHttpBridge } from './http.ts';
import type { Bridge, PreloadApi } from './types.ts';

const SECRET_KEY = 'cairn.secret';

/** The bits of `window` the picker reads; injectable for tests. */
export interface PageEnv {
  cairn?: PreloadApi | undefined;
  location: { hash: string; origin: string; pathname: string; search: string };
  history: { replaceState(data: unknown, unused: string, url?: string): void };
  sessionStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void };
  fetch?: typeof fetch;
}

/** Reads (and then hides) the secret from the fragment, falling back to sessionStorage. */
export function takeSecret(env: PageEnv): string | null {
  const m = /(?:^#|&)secret=([^&]+)/.exec(env.location.hash);
  if (m) {
    let secret: string;
    try {
      secret = decodeURIComponent(m[1]!);
    } catch {
      // A mangled link (`#secret=%E0`): treat it as no secret, so the page says how to get a
      // good link instead of failing to render at all.
      return env.sessionStorage.getItem(SECRET_KEY);
    }
    env.sessionStorage.setItem(SECRET_KEY, secret);
    env.history.replaceState(null, '', env.location.pathname + env.location.search);
    return secret;
  }
  return env.sessionStorage.getItem(SECRET_KEY);
}

/** Result of {@link pickBridge}: a bridge, or why none could be made. */
export type Picked = { bridge: Bridge } | { error: 'no_secret' };

/** Chooses the Electron or the browser bridge for this page. */
export function pickBridge(env: PageEnv): Picked {
  if (env.cairn && typeof env.cairn.call === 'function') return { bridge: createElectronBridge(env.cairn) };
  const secret = takeSecret(env);
  if (!secret) return { error: 'no_secret' };
  return {
    bridge: createHttpBridge({
      base: env.location.origin,
      secret,
      ...(env.fetch ? { fetch: env.fetch } : {}),
    }),
  };
}
