/**
 * Builds a typed {@link ControlApi} from one untyped `call(method, input)` function, using
 * the shared schema map's method names so the two can never drift apart.
 */
import { controlMethods, type ControlApi, type ControlMethod } from '../../../src-shared/control.ts';

/** One transport call: resolves with the method's output or rejects with a ControlError. */
export type CallFn = (method: ControlMethod, input: unknown) => Promise<unknown>;

/** A typed control API whose every method goes through `call`. */
export function makeApi(call: CallFn): ControlApi {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const method of Object.keys(controlMethods) as ControlMethod[]) {
    api[method] = (input: unknown) => call(method, input ?? {});
  }
  return api as unknown as ControlApi;
}
