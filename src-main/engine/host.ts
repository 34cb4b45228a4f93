/**
 * Settings for a process whose main job is running the engine (the CLI daemon, the desktop
 * app's main process, the benchmark). The engine never changes its host by itself — a
 * library user (a test, an embedding app) decides whether to call this.
 */
import { setFlagsFromString } from 'node:v8';

let tuned = false;

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
