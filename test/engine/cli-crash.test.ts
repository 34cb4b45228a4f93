import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ENGINE_NODE_FLAGS } from '../../src-main/engine/host.ts';
import { EARLY_UPLOAD_MIN_BYTES } from '../../src-main/engine/scan/scanner.ts';
import { promisify } from 'node:util';
import { startServer, type RunningServer } from '../../src-server/index.ts';
import { StateDb } from '../../src-main/engine/state/db.ts';
import { treeOf, until } from './helpers.ts';
import { homeHolder } from '../../src-main/engine/home-lock.ts';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../bin/cairn.js');
let server: RunningServer;
let tmp: string;

async function cairn(home: string, args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = run(process.execPath, [CLI, '--home', home, ...args], { timeout: 120_000 });
  if (stdin !== undefined) {
    p.child.stdin?.end(stdin);
  }
  try {
    const r = await p;
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

async function pidOf(home: string): Promise<number> {
  return (JSON.parse(await readFile(path.join(home, 'control.json'), 'utf8')) as { pid: number }).pid;
}

/**
 * SIGKILLs `home`'s engine and waits until the OS has let go of its home lock: the kill only
 * queues the signal, and a process in the middle of an fsync dies when the write-back ends.
 * A start before that would find the home held and answer "already running".
 */
async function killHard(home: string): Promise<void> {
  process.kill(await pidOf(home), 'SIGKILL');
  await until(() => homeHolder(home) === null, 30_000, `the killed engine of ${home} to let go of its home`);
}

async function tempFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const e of await readdir(root, { recursive: true })) if (path.basename(String(e)).startsWith('.cairn-tmp-')) found.push(String(e));
  return found;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-cli-'));
  server = await startServer({ dataDir: path.join(tmp, 'server'), port: 0, logLevel: 'silent', gcIntervalMs: 0 });
});
afterAll(async () => {
  for (const h of ['hA', 'hB']) await cairn(path.join(tmp, h), ['stop']);
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('the cairn CLI', () => {
  const hA = (): string => path.join(tmp, 'hA');
  const hB = (): string => path.join(tmp, 'hB');
  const fA = (): string => path.join(tmp, 'A');
  const fB = (): string => path.join(tmp, 'B');

  it('signup/login/start/status/wait-idle/ls/history work with the documented exit codes', async () => {
    expect((await cairn(hA(), ['signup', '--server', server.url, '--email', 'cli@example.com', '--password-stdin', '--device', 'A'], 'a long password\n')).code).toBe(0);
    const bad = await cairn(hB(), ['login', '--server', server.url, '--email', 'cli@example.com', '--password-stdin'], 'wrong password\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('invalid_credentials');
    expect((await cairn(hB(), ['login', '--server', server.url, '--email', 'cli@example.com', '--password-stdin', '--device', 'B'], 'a long password\n')).code).toBe(0);
    expect((await cairn(hA(), ['frobnicate'])).code).toBe(2);
    // No subcommand (or an incomplete one) is a usage error; asked-for help is not.
    expect((await cairn(hA(), [])).code).toBe(2);
    expect((await cairn(hA(), ['share'])).code).toBe(2);
    expect((await cairn(hA(), ['--help'])).code).toBe(0);
    const shareHelp = await cairn(hA(), ['share', '--help']);
    expect(shareHelp.code).toBe(0);
    expect((await cairn(hA(), ['status'])).stderr).toContain('not_running');
    await mkdir(fA(), { recursive: true });
    await writeFile(path.join(fA(), 'hello.txt'), 'hello');
    expect((await cairn(hA(), ['start', '--folder', fA()])).code).toBe(0);
    expect((await cairn(hB(), ['start', '--folder', fB()])).code).toBe(0);
    expect((await cairn(hA(), ['wait-idle', '--timeout', '30'])).code).toBe(0);
    expect((await cairn(hB(), ['wait-idle', '--timeout', '30'])).code).toBe(0);
    expect(await readFile(path.join(fB(), 'hello.txt'), 'utf8')).toBe('hello');
    const st = JSON.parse((await cairn(hB(), ['status', '--json'])).stdout) as { state: string };
    expect(st.state).toBe('idle');
    expect((await cairn(hB(), ['ls', '--json'])).stdout).toContain('"synced"');
    const hist = JSON.parse((await cairn(hB(), ['history', 'hello.txt', '--json'])).stdout) as unknown[];
    expect(hist).toHaveLength(1);
    const url = (await cairn(hB(), ['open', '--print'])).stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#secret=[A-Za-z0-9_-]{43}$/u);
    // The daemon restarted itself with the engine's V8 flags under the same PID (D41), so the
    // PID in control.json is the engine and `stop`/`kill` reach it.
    if (process.platform === 'linux') {
      const argv = (await readFile(`/proc/${await pidOf(hB())}/cmdline`, 'utf8')).split('\0');
      for (const f of ENGINE_NODE_FLAGS) expect(argv).toContain(f);
    }
  });

  it('8. kill -9 at any moment, then restart: resumes with no lost, duplicated or torn file', async () => {
    const files: Record<string, Buffer> = {};
    await mkdir(path.join(fA(), 'crash'), { recursive: true });
    for (let i = 0; i < 24; i++) {
      files[`crash/f${i}.bin`] = randomBytes(i % 3 === 0 ? 1_500_000 : 20_000 + i);
      await writeFile(path.join(fA(), `crash/f${i}.bin`), files[`crash/f${i}.bin`] as Buffer);
    }
    // And files large enough to be uploaded early (D40), so kills can land in their early uploads,
    // their commits and their downloads' early write-back too.
    for (const name of ['big1.bin', 'big2.bin']) {
      files[`crash/${name}`] = randomBytes(EARLY_UPLOAD_MIN_BYTES + 4 * 1024 * 1024);
      await writeFile(path.join(fA(), `crash/${name}`), files[`crash/${name}`] as Buffer);
    }
    // Crash the uploader and the downloader a few times at different moments.
    for (const delay of [30, 120, 300]) {
      await new Promise((r) => setTimeout(r, delay));
      for (const h of [hA(), hB()]) await killHard(h);
      for (const [h, f] of [[hA(), fA()], [hB(), fB()]] as const) {
        const r = await cairn(h, ['start', '--folder', f]);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^cairn: started/u);
      }
    }
    expect((await cairn(hA(), ['wait-idle', '--timeout', '60'])).code).toBe(0);
    expect((await cairn(hB(), ['wait-idle', '--timeout', '60'])).code).toBe(0);
    expect((await cairn(hA(), ['wait-idle', '--timeout', '60'])).code).toBe(0);
    for (const [p, data] of Object.entries(files)) expect((await readFile(path.join(fB(), p))).equals(data), p).toBe(true);
    expect(await treeOf(fA())).toEqual(await treeOf(fB()));
    expect((await readdir(path.join(fB(), 'crash'))).filter((n) => n.includes('conflicted copy'))).toEqual([]);
    expect(await tempFiles(fA())).toEqual([]);
    expect(await tempFiles(fB())).toEqual([]);
    for (const h of [hA(), hB()]) expect((await cairn(h, ['stop'])).code).toBe(0);
    for (const h of [hA(), hB()]) {
      const db = new StateDb(path.join(h, 'state.db'));
      expect(db.integrityCheck()).toEqual([]);
      expect(db.opsPending()).toEqual([]);
      db.close();
    }
  });
});
