// The CLI server's launcher: start-only V8 flags (D41) are applied by replacing the process
// (execve), so the PID a supervisor or test spawned is the server itself and signals reach it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';

const CLI = path.resolve(import.meta.dirname, '../../bin/cairn-server.js');
let tmp = '';
afterEach(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  tmp = '';
});

it.runIf(process.platform === 'linux')('runs with its heap flag under the spawned PID, and SIGTERM stops it', async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-cli-launch-'));
  const child = spawn(process.execPath, [CLI, '--data', tmp, '--listen', '127.0.0.1:0', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^listening on http:\/\/\S+\n/u.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited early (${code}): ${out}`)));
  });
  const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
  expect(argv).toContain('--initial-old-space-size=128');
  expect(argv.some((a) => a.endsWith('bin/cairn-server.js'))).toBe(true);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
