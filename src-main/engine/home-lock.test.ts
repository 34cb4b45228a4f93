// One engine per home: the lock holds against this process and others, names its holder, and
// the kernel drops it with a killed holder (no stale lock after kill -9).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { homeHolder, lockHome, type HomeLock } from './home-lock.ts';

const LOCK_MODULE = path.resolve(import.meta.dirname, 'home-lock.ts');
let home = '';
const held: HomeLock[] = [];
afterEach(async () => {
  for (const l of held.splice(0)) l.release();
  if (home) await rm(home, { recursive: true, force: true });
  home = '';
});

/** A child process that takes the lock of `h`, says so, and waits to be killed. */
async function holderProcess(h: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const code = `const m = await import(${JSON.stringify(LOCK_MODULE)}); m.lockHome(${JSON.stringify(h)}); process.stdout.write('locked\\n'); setInterval(() => {}, 1e6);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.once('exit', (c) => reject(new Error(`holder exited (${c})`)));
  });
  return {
    pid: child.pid!,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

it('refuses a second engine in this process, names the holder, and is free again once released', async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'cairn-home-lock-'));
  expect(homeHolder(home)).toBeNull();
  const first = lockHome(home);
  held.push(first);
  expect(homeHolder(home)).toBe(process.pid);
  expect(() => lockHome(home)).toThrow(expect.objectContaining({ code: 'unavailable', details: { pid: process.pid } }));
  first.release();
  first.release(); // idempotent
  expect(homeHolder(home)).toBeNull();
  held.push(lockHome(home));
  expect(homeHolder(home)).toBe(process.pid);
});

it('holds against another process, and a kill -9 of the holder frees it', async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'cairn-home-lock-'));
  const other = await holderProcess(home);
  try {
    expect(homeHolder(home)).toBe(other.pid);
    expect(() => lockHome(home)).toThrow(expect.objectContaining({ code: 'unavailable', details: { pid: other.pid } }));
  } finally {
    await other.kill();
  }
  expect(homeHolder(home)).toBeNull();
  held.push(lockHome(home));
  expect(homeHolder(home)).toBe(process.pid);
});
