// The campaign CLI stopped from outside (a timeout's SIGTERM) must not orphan the server and
// engine processes its harness started: they would keep ports, data dirs and CPU.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';

const CLI = path.resolve(import.meta.dirname, 'cli.ts');

/** Child PIDs of `pid` (Linux /proc). */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The process's argv, or null once it is gone (a zombie counts as gone: it runs nothing). */
function argvOf(pid: number): string[] | null {
  try {
    if (/^\d+ \(.*\) Z/su.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return null;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return null;
  }
}

/** Polls `fn` every 20 ms (there is no event for a process appearing in /proc); throws after `ms`. */
async function until<T>(what: string, ms: number, fn: () => T | null | undefined | false): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it.runIf(process.platform === 'linux')('SIGTERM to the campaign CLI kills the server it started and exits 143', async () => {
  // Many rounds: the campaign is still running whenever the signal comes.
  const cli = spawn(process.execPath, [CLI, '--seed', '4242', '--clients', '2', '--rounds', '50', '--no-shrink'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    cli.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let server = 0;
  let dataDir = '';
  try {
    server = await until('the campaign started its server', 30_000, () =>
      childPids(cli.pid!).find((p) => argvOf(p)?.some((a) => a.endsWith('bin/cairn-server.js'))),
    );
    const argv = argvOf(server)!;
    dataDir = argv[argv.indexOf('--data') + 1]!;
    cli.kill('SIGTERM');
    expect(await exited, out).toEqual({ code: 143, signal: null });
    await until('the server is gone', 10_000, () => argvOf(server) === null);
  } finally {
    if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
    if (server && argvOf(server)) process.kill(server, 'SIGKILL');
    // The campaign's temp dir (DIR/server is the server's data dir).
    if (dataDir) await fs.rm(path.dirname(dataDir), { recursive: true, force: true });
  }
});
