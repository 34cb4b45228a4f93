/**
 * Test fixtures for the control API (used by the renderer's and the shell's unit tests, which
 * may not import each other): plain data, no test-runner imports.
 */
import type { Status } from './control.ts';

/** An idle, linked status with sensible defaults, overridden by `patch`. */
export function sampleStatus(patch: Partial<Status> = {}): Status {
  return {
    state: 'idle',
    server: 'http://127.0.0.1:1',
    email: 'a@example.com',
    device_name: 'laptop',
    folder: '/home/a/Cairn',
    pending: { uploads: 0, downloads: 0, other: 0, bytes: 0 },
    progress: { done_bytes: 0, total_bytes: 0, eta_ms: null },
    held_deletes: null,
    error: null,
    issues: [],
    conflicts: 0,
    last_synced_at: null,
    ...patch,
  };
}
