/**
 * The real {@link OpenControl}. When an engine already runs for the home (`cairn start`),
 * the desktop app attaches to it over its HTTP control API. Otherwise it runs the engine
 * in-process (its token kept with safeStorage when given) and serves the same HTTP control API, so `cairn status`, `cairn open` and the
 * other CLI commands keep working while the desktop app owns the engine. This is the only
 * shell module that names the engine (its public facade and its credential store, not its
 * internals).
 */
import path from 'node:path';
import envPaths from 'env-paths';
import { createControlApi, homeHolder, onControlEvents, readControlInfo, serveEngine } from '../control/index.ts';
import { vaultCredentialStore } from '../engine/account.ts';
import { Engine } from '../engine/index.ts';
import { tuneEngineHost } from '../engine/host.ts';
import { attachControl } from './attach.ts';
import { TokenStore } from './token-store.ts';
import type { OpenControl } from './control-port.ts';

/** The device home, as the CLI resolves it: `CAIRN_HOME`, else the platform config folder. */
export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.CAIRN_HOME ?? envPaths('cairn', { suffix: '' }).config);
}

/** Attaches to the running engine for `home`, or starts one in-process. */
export const openEngineControl: OpenControl = async ({ home, uiDir, onEngineGone, safeStorage }) => {
  // The home lock, not control.json, says whether an engine runs (a stale file with a recycled
  // pid would otherwise attach the app to nothing, for good). One still starting has no
  // control.json yet: attach waits for it.
  const holder = homeHolder(home);
  if (holder !== null && holder !== process.pid)
    return attachControl(home, readControlInfo(home), onEngineGone ? { onEngineGone } : {});
  // With safeStorage the token lives in the OS keychain (device.json names it); a token the
  // CLI left in device.json is used where it is, so `cairn start` keeps working on that home.
  const credentials = safeStorage ? vaultCredentialStore(home, new TokenStore(home, safeStorage)) : undefined;
  // The desktop app's main process now runs the engine: tune it like the CLI daemon.
  tuneEngineHost();
  const engine = new Engine({ home, ...(credentials ? { credentials } : {}) });
  await engine.start();
  let server: Awaited<ReturnType<typeof serveEngine>>;
  try {
    server = await serveEngine(engine, uiDir ? { uiDir } : {});
  } catch (err) {
    // The engine already runs (watcher, state DB open): stop it, or the failed start leaks it.
    await engine.stop().catch(() => undefined);
    throw err;
  }
  return {
    api: createControlApi(engine),
    subscribe: (cb) => onControlEvents(engine, cb),
    // Stops serving, then the engine, then removes control.json (serveEngine).
    stop: () => server.close(),
  };
};
