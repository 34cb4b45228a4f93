/**
 * Test-only fakes for store unit tests: a ControlApi whose methods are vi.fn()s (methods a
 * test does not set reject with `not_found`), and sample values.
 */
import { vi } from 'vitest';
import type { ControlApi, Status } from '../../../src-shared/control.ts';
import { ControlError } from '../bridge/errors.ts';

/** A fake ControlApi; pass the methods the test needs. */
export function fakeApi(
  impl: Partial<{ [K in keyof ControlApi]: (input: Parameters<ControlApi[K]>[0]) => unknown }>,
): ControlApi {
  return new Proxy({} as Record<string, unknown>, {
    get(target, key: string) {
      if (!(key in target)) {
        const fn = (impl as Record<string, ((i: unknown) => unknown) | undefined>)[key];
        target[key] = vi.fn(async (input: unknown) => {
          if (!fn) throw new ControlError('not_found', `fake: ${key} not set`);
          return fn(input);
        });
      }
      return target[key];
    },
  }) as unknown as ControlApi;
}

/** A status with sensible defaults. */
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
