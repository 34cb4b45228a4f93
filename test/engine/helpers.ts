/**
 * Helpers of the engine integration tests: a real server on 127.0.0.1 port 0, real engines
 * (in-process) with temp homes and folders, and bounded waits.
 */
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { startServer, type RunningServer, type StartOptions } from '../../src-server/index.ts';
import { Engine, link, readCredentials, type Credentials, type EngineOptions } from '../../src-main/engine/index.ts';
import { RemoteClient } from '../../src-main/engine/remote/client.ts';

export interface Dev {
  name: string;
  home: string;
  folder: string;
  engine: Engine;
}

/** A test world: one server, some devices on one account; `cleanup()` removes everything. */
export class World {
  server!: RunningServer;
  tmp!: string;
  devs: Dev[] = [];
  email = `u${Date.now()}${Math.floor(Math.random() * 1e6)}@example.com`;
  password = 'correct horse battery';

  static async create(): Promise<World> {
    const w = new World();
    w.tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-engine-'));
    w.server = await startServer({ dataDir: path.join(w.tmp, 'server'), port: 0, logLevel: 'silent', gcIntervalMs: 0 });
    return w;
  }

  /** Links a new device (the first one signs the account up) and starts its engine. */
  async device(name: string, opts: Partial<EngineOptions> = {}, start = true, serverUrl?: string): Promise<Dev> {
    const home = path.join(this.tmp, `home-${name}`);
    const folder = path.join(this.tmp, `folder-${name}`);
    await link(home, { mode: this.devs.length === 0 ? 'signup' : 'login', server: serverUrl ?? this.server.url, email: this.email, password: this.password, device_name: name });
    const engine = new Engine({ home, folder, pollMs: 60_000, ...opts });
    const dev = { name, home, folder, engine };
    this.devs.push(dev);
    if (start) await engine.start();
    return dev;
  }

  /**
   * Links a device of another account `email` (signed up on first use) and starts it — for
   * sharing tests with several accounts.
   */
  async deviceOf(email: string, name: string, opts: Partial<EngineOptions> = {}): Promise<Dev> {
    const home = path.join(this.tmp, `home-${name}`);
    const folder = path.join(this.tmp, `folder-${name}`);
    const mode = this.others.has(email) ? 'login' : 'signup';
    this.others.add(email);
    await link(home, { mode, server: this.server.url, email, password: this.password, device_name: name });
    const engine = new Engine({ home, folder, pollMs: 60_000, ...opts });
    const dev = { name, home, folder, engine };
    this.devs.push(dev);
    await engine.start();
    return dev;
  }

  private others = new Set<string>();

  /** Restarts a device's engine (a new Engine on the same home and folder). */
  async restart(dev: Dev, opts: Partial<EngineOptions> = {}): Promise<void> {
    await dev.engine.stop();
    dev.engine = new Engine({ home: dev.home, folder: dev.folder, pollMs: 60_000, ...opts });
    await dev.engine.start();
  }

  /** Waits until every running device is idle (each twice, so late pushes are seen). */
  async settle(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; round < 2; round++) {
      for (const d of this.devs) {
        const ok = await d.engine.waitIdle(Math.max(1, deadline - Date.now()));
        if (!ok) throw new Error(`${d.name} not idle: ${JSON.stringify(d.engine.status())}`);
      }
    }
  }

  async cleanup(): Promise<void> {
    for (const d of this.devs) await d.engine.stop().catch(() => undefined);
    await this.server.close();
    await rm(this.tmp, { recursive: true, force: true });
  }
}

/** Relative path → sha256 of every file under `root` (folders as "/"), ignoring Cairn temp files. */
export async function treeOf(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
      if (e.name.startsWith('.cairn-tmp-')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out[r] = '/';
        await walk(r);
      } else if (e.isFile()) out[r] = createHash('sha256').update(await readFile(path.join(root, r))).digest('hex').slice(0, 16);
    }
  };
  await walk('');
  return out;
}

/** Polls `fn` until it returns truthy (bounded), for conditions with no event to await. */
export async function until<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True when the file exists. */
export async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** A real server in a temp folder, for tests that drive pull() or the Executor directly. */
export interface BareServer {
  tmp: string;
  server: RunningServer;
  /** Signs up a device home `name` and returns its credentials and a protocol client. */
  account(name: string, email: string): Promise<{ home: string; creds: Credentials; client: RemoteClient }>;
  /** Stops the server and removes the folder. */
  close(): Promise<void>;
}

/** Starts a {@link BareServer} (port 0, silent, no background GC unless `opts` say so). */
export async function bareServer(prefix: string, opts: Partial<StartOptions> = {}): Promise<BareServer> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), `cairn-${prefix}-`));
  const server = await startServer({ dataDir: path.join(tmp, 'server'), port: 0, logLevel: 'silent', gcIntervalMs: 0, ...opts });
  return {
    tmp,
    server,
    async account(name, email) {
      const home = path.join(tmp, `home-${name}`);
      await link(home, { mode: 'signup', server: server.url, email, password: 'correct horse battery', device_name: name });
      const creds = readCredentials(home);
      if (!creds) throw new Error(`no credentials in ${home}`);
      return { home, creds, client: new RemoteClient({ server: creds.server, token: creds.token }) };
    },
    async close() {
      await server.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
