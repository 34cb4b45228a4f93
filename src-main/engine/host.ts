/**
 * Settings for a process whose main job is running the engine (the CLI daemon, the desktop
 * app's main process, the benchmark). The engine never changes its host by itself — a
 * library user (a test, an embedding app) decides whether to call this.
 */
import { setFlagsFromString } from 'node:v8';

let tuned = false;

/**
 * V8 flags an engine host should be started with: they only take effect at process start.
 * A larger initial old space keeps received socket buffers (external memory, dying young) from
 * starting a full GC every few dozen MiB of a large download (docs/decisions.md D41).
 */
export const ENGINE_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];

/**
 * Replaces this process with one started with {@link ENGINE_NODE_FLAGS} when they are missing
 * (`process.execve`: same PID, same stdio, same argv — a supervisor or `kill` still reaches it).
 * Returns only when nothing was done: the flags are there, or the platform has no execve
 * (Windows; the engine then runs without them). Call it first thing, before any work.
 */
export function restartWithEngineFlags(): void {
  const missing = ENGINE_NODE_FLAGS.filter((f) => !process.execArgv.includes(f));
  if (missing.length === 0 || typeof process.execve !== 'function' || !process.argv[1]) return;
  process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], process.env);
}

/**
 * Makes V8 count external memory (Buffers) in its global heap limit. A download receives every
 * byte in freshly allocated socket buffers; by default V8 starts a full mark-compact whenever
 * external memory has grown by 64 MB, i.e. every ~64 MiB received — the fix the server made in
 * docs/decisions.md D35, measured there at about half the CPU per block. Idempotent; call it
 * early (before the heap fills).
 */
export function tuneEngineHost(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString('--external-memory-accounted-in-global-limit');
}
