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
import { CairnError } from '../../src-shared/errors.ts';
import { callControl, createControlApi, homeHolder, onControlEvents, readControlInfo, serveEngine } from '../control/index.ts';
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

/** How long (ms) the app waits for a `cairn start` engine that holds the home to answer. */
const ATTACH_WAIT_MS = 120_000;

/**
 * Waits until the engine holding `home` answers its control API (true), or no engine holds
 * it any more (false). One still starting (its first crawl of a large folder) has no
 * control.json yet; the app's first call must not fail on it.
 * @throws CairnError `not_running` when it holds the home but does not answer within
 *   {@link ATTACH_WAIT_MS}.
 */
async function engineAnswers(home: string): Promise<boolean> {
  const deadline = Date.now() + ATTACH_WAIT_MS;
  for (;;) {
    if (homeHolder(home) === null) return false;
    try {
      await callControl(home, 'status', {}, 2_000);
      return true;
    } catch (err) {
      if (!(err instanceof CairnError) || err.code !== 'not_running') throw err;
    }
    if (Date.now() > deadline) throw new CairnError('not_running', `the Cairn engine running for ${home} does not answer; see ${path.join(home, 'engine.log')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Attaches to the running engine for `home`, or starts one in-process. */
export const openEngineControl: OpenControl = async ({ home, uiDir, onEngineGone, safeStorage }) => {
  // The home lock, not control.json, says whether an engine runs (a stale file with a recycled
  // pid would otherwise attach the app to nothing, for good).
  const holder = homeHolder(home);
  if (holder !== null && holder !== process.pid && (await engineAnswers(home)))
    return attachControl(home, readControlInfo(home), onEngineGone ? { onEngineGone } : {});
  // With safeStorage the token lives in the OS keychain (device.json names it); a token the
  // CLI left in device.json is used where it is, so `cairn start` keeps working on that home.
  const credentials = safeStorage ? vaultCredentialStore(home, new TokenStore(home, safeStorage)) : undefined;
  // The desktop app's main process now runs the engine: tune it like the CLI daemon.
  tuneEngineHost();
  const engine = new Engine({ home, ...(credentials ? { credentials } : {}) });
  let server: Awaited<ReturnType<typeof serveEngine>>;
  try {
    await engine.start();
    server = await serveEngine(engine, uiDir ? { uiDir } : {});
  } catch (err) {
    // Stopped, or the failed start keeps the state DB and the home lock for the app's life.
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
