// `cairn start` / `cairn stop` decide whether an engine runs by the home lock, not by
// control.json's pid: a stale file naming a recycled pid must neither block a start nor get an
// unrelated process signalled, and a second engine on a running home is refused.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { lockHome } from '../../src-main/engine/home-lock.ts';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../bin/cairn.js');
let tmp = '';
const children: ChildProcess[] = [];
afterEach(async () => {
  if (tmp) await cairn(tmp, ['stop']);
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (tmp) await rm(tmp, { recursive: true, force: true });
  tmp = '';
});

async function cairn(home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, '--home', home, ...args], { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** A long-lived process that is not an engine: the "recycled pid" of a stale control.json. */
function bystander(): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  children.push(child);
  return { child, exited: new Promise((resolve) => child.once('exit', () => resolve())) };
}

/** `cairn start --foreground` on an unlinked home (setup state: no server needed), once it is up. */
async function foreground(home: string): Promise<{ child: ChildProcess; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, '--home', home, 'start', '--foreground'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('control API on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`engine exited early (${code}): ${out}`)));
  });
  return { child, exit };
}

it('a stale control.json naming a live, unrelated process: stop leaves it alone, start starts', async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-cli-life-'));
  const other = bystander();
  await writeFile(path.join(tmp, 'control.json'), `${JSON.stringify({ pid: other.child.pid, port: 1, secret: 'stale' })}\n`);
  const stop = await cairn(tmp, ['stop']);
  expect(stop).toMatchObject({ code: 0, stdout: 'cairn: not running\n' });
  expect(other.child.exitCode).toBeNull();
  expect(other.child.signalCode).toBeNull();
  const start = await cairn(tmp, ['start']);
  expect(start.code).toBe(0);
  expect(start.stdout).toMatch(/^cairn: started \(pid \d+\)/u);
  const status = await cairn(tmp, ['status', '--json']);
  expect(JSON.parse(status.stdout)).toMatchObject({ state: 'setup' });
  expect(await cairn(tmp, ['stop'])).toMatchObject({ code: 0, stdout: 'cairn: stopped\n' });
  expect(other.child.exitCode).toBeNull();
});

it('a second engine on a running home is refused; stop ends the first cleanly and lets go of the home', async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-cli-life-'));
  const first = await foreground(tmp);
  const second = await cairn(tmp, ['start', '--foreground']);
  expect(second.code).toBe(1);
  expect(second.stderr).toContain(`cairn: unavailable: another Cairn engine runs for ${tmp} (pid ${first.child.pid})`);
  // The daemon path says so without spawning anything.
  expect(await cairn(tmp, ['start'])).toMatchObject({ code: 0, stdout: `cairn: already running (pid ${first.child.pid})\n` });
  expect(await cairn(tmp, ['stop'])).toMatchObject({ code: 0, stdout: 'cairn: stopped\n' });
  expect(await first.exit).toBe(0);
  expect(existsSync(path.join(tmp, 'control.json'))).toBe(false);
  expect(existsSync(path.join(tmp, 'engine.pid'))).toBe(false);
  expect(await cairn(tmp, ['stop'])).toMatchObject({ code: 0, stdout: 'cairn: not running\n' });
});

it('stop refuses to guess when the home is held but its holder has no pid on record', async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-cli-life-'));
  // This test process holds the lock, as an engine would in the instant before writing its pid.
  const held = lockHome(tmp);
  try {
    await rm(path.join(tmp, 'engine.pid'));
    const stop = await cairn(tmp, ['stop']);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain(`cairn: internal: an engine holds ${tmp} but its pid is not known yet`);
  } finally {
    held.release();
  }
});
