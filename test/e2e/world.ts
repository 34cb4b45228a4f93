/**
 * The e2e world: a real Cairn server (in-process, port 0), real engines started through the
 * `cairn` CLI (one `--home` per device, `--ui-dir` = this run's UI build), the built UI, and
 * Debian's Chromium. Each device's UI URL comes from `cairn open --print`, exactly as a user
 * would get it.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { startServer } from '../../src-server/index.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/cairn.js');
/** Where screenshots go: `CAIRN_SHOTS_DIR`, else test-results/screenshots (the artifact folder). */
export const SHOTS = path.resolve(process.env.CAIRN_SHOTS_DIR ?? path.join(ROOT, 'test-results/screenshots'));

/**
 * Builds the renderer from its current source into `outDir` with the same Vite config as
 * `npm run build:ui`, in a child process in production mode (vitest's NODE_ENV=test would
 * give React's development build). The devices serve it with `cairn start --ui-dir`, so a
 * test run never rewrites src-renderer/dist under a running `scripts/run.sh`.
 */
export function buildUi(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        path.join(ROOT, 'src-renderer/vite.config.ts'),
        '--outDir',
        outDir,
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' }, timeout: 180_000 },
      (err, _o, stderr) => (err ? reject(new Error(`UI build failed: ${stderr}`)) : resolve()),
    );
  });
}

/** Result of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cairn --home HOME ...args` (stdin optional); never throws on a non-zero exit. */
export function cairn(home: string, args: string[], stdin?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, '--home', home, ...args],
      { timeout: 90_000 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(stdin ?? '');
  });
}

/** Like {@link cairn} but throws with the CLI's stderr on failure. */
export async function cairnOk(home: string, args: string[], stdin?: string): Promise<string> {
  const r = await cairn(home, args, stdin);
  if (r.code !== 0) throw new Error(`cairn ${args.join(' ')} exited ${r.code}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** One linked device driven by the CLI. */
export interface Device {
  name: string;
  home: string;
  folder: string;
}

/** Temp folder, UI build, server, browser; `close()` stops every engine it started and removes the folder. */
export class World {
  tmp = '';
  /** This run's UI build (what every engine here serves). */
  uiDir = '';
  serverUrl = '';
  browser!: Browser;
  email = `e2e${Date.now()}@example.com`;
  password = 'correct horse battery staple';
  private closeServer: () => Promise<void> = async () => {};
  private devices: Device[] = [];
  /** Accounts signed up so far (a device of another one logs in). */
  private accounts = new Set<string>();

  static async create(): Promise<World> {
    const w = new World();
    w.tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-e2e-'));
    w.uiDir = path.join(w.tmp, 'ui');
    await buildUi(w.uiDir);
    const server = await startServer({
      dataDir: path.join(w.tmp, 'server'),
      port: 0,
      logLevel: 'silent',
      gcIntervalMs: 0,
    });
    w.serverUrl = server.url;
    w.closeServer = () => server.close();
    w.browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    await mkdir(SHOTS, { recursive: true });
    return w;
  }

  /**
   * Signs up (the account's first device) or logs in, then starts the engine on a new folder,
   * serving this run's UI build. `email` defaults to the world's main account.
   */
  async device(name: string, email = this.email): Promise<Device> {
    const d = {
      name,
      home: path.join(this.tmp, `home-${name}`),
      folder: path.join(this.tmp, `folder-${name}`),
    };
    const mode = this.accounts.has(email) ? 'login' : 'signup';
    await cairnOk(
      d.home,
      [mode, '--server', this.serverUrl, '--email', email, '--password-stdin', '--device', name],
      `${this.password}\n`,
    );
    this.accounts.add(email);
    this.devices.push(d);
    await cairnOk(d.home, ['start', '--folder', d.folder, '--ui-dir', this.uiDir]);
    return d;
  }

  /** Waits until the device is in sync with the server. */
  async idle(d: Device, seconds = 30): Promise<void> {
    await cairnOk(d.home, ['wait-idle', '--timeout', String(seconds)]);
  }

  /** Opens the device's UI (URL from `cairn open --print`) in a fresh page. */
  async open(
    d: Device,
    scheme: 'light' | 'dark' = 'light',
    extra: BrowserContextOptions = {},
  ): Promise<Page> {
    const url = (await cairnOk(d.home, ['open', '--print'])).trim();
    const page = trackErrors(
      await this.browser.newPage({ colorScheme: scheme, viewport: { width: 1000, height: 760 }, ...extra }),
    );
    await page.goto(url);
    return page;
  }

  async close(): Promise<void> {
    for (const d of this.devices) await cairn(d.home, ['stop']);
    await this.browser?.close();
    await this.closeServer();
    await rm(this.tmp, { recursive: true, force: true });
  }
}

/** Records the page's uncaught exceptions and console errors (CSP violations among them). */
export function trackErrors(page: Page): Page {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // The meta CSP's frame-ancestors warning is expected (the directive only works as a header).
    if (m.type() === 'error' && !m.text().includes('frame-ancestors')) errors.push(m.text());
  });
  (page as Page & { cairnErrors?: string[] }).cairnErrors = errors;
  return page;
}

/** Errors the page logged since {@link trackErrors} (uncaught exceptions, console errors). */
export function pageErrors(page: Page): string[] {
  const errors = (page as Page & { cairnErrors?: string[] }).cairnErrors;
  if (!errors) throw new Error('pageErrors: call trackErrors(page) first');
  return errors;
}

/** Saves a full-page screenshot as test-results/screenshots/NAME.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}
