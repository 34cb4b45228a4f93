/** Test-only: a fake {@link ShellControl} whose API methods are vi.fn()s and whose events are pushed by hand. */
import { vi } from 'vitest';
import type { ControlApi, ControlEvent, Status } from '../../src-shared/control.ts';
import type { ShellControl } from './control-port.ts';
import { sampleStatus as status } from '../../src-shared/control-fixtures.ts';

export { status };


/** A fake control service; `emit` pushes an event to subscribers. */
export function fakeControl(
  initial: Status = status(),
): ShellControl & { emit(e: ControlEvent): void; calls: ReturnType<typeof vi.fn> } {
  const subs = new Set<(e: ControlEvent) => void>();
  const calls = vi.fn();
  const api = new Proxy({} as Record<string, unknown>, {
    // Methods a test assigns replace the default behaviour.
    get: (target, method: string) =>
      (target[method] as ((i: unknown) => Promise<unknown>) | undefined) ??
      (async (input: unknown) => {
        calls(method, input);
        if (method === 'status') return initial;
        if (method === 'pause') return { ...initial, state: 'paused' };
        if (method === 'resume') return { ...initial, state: 'syncing' };
        return {};
      }),
  }) as unknown as ControlApi;
  return {
    api,
    calls,
    subscribe: (cb) => (subs.add(cb), () => subs.delete(cb)),
    stop: vi.fn(async () => {}),
    emit: (e) => subs.forEach((cb) => cb(e)),
  };
}
