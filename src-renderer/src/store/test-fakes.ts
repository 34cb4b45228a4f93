/**
 * Test-only fakes for store unit tests: a ControlApi whose methods are vi.fn()s (methods a
 * test does not set reject with `not_found`), and sample values.
 */
import { vi } from 'vitest';
import type { ControlApi } from '../../../src-shared/control.ts';
import { ControlError } from '../bridge/errors.ts';
import { sampleStatus } from '../../../src-shared/control-fixtures.ts';

export { sampleStatus };

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

