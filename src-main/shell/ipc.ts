/**
 * The main-process end of the renderer's control bridge. Every `cairn:call` is checked
 * before the control service sees it: the sender must be our own page, the method must be
 * in the schema map, and the input must pass that method's compiled TypeBox schema.
 * Anything else is refused with `bad_request` (or `forbidden` for a foreign sender).
 * Replies are envelopes — `{ ok: true, result }` / `{ ok: false, error: { code, message } }`
 * — because contextBridge keeps only an Error's message, not its code.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { Compile } from 'typebox/compile';
import {
  controlMethods,
  type ControlApi,
  type ControlEvent,
  type ControlMethod,
} from '../../src-shared/control.ts';
import { CairnError, isErrorCode } from '../../src-shared/errors.ts';
import type { ShellControl } from './control-port.ts';

/** IPC channel names (shared with preload.ts). */
export const CALL_CHANNEL = 'cairn:call';
export const EVENT_CHANNEL = 'cairn:event';

/** The reply envelope of a control call over IPC. */
export type IpcReply =
  { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

/** Compiled input validators, one per control method. */
const validators = new Map(Object.entries(controlMethods).map(([name, def]) => [name, Compile(def.input)]));

/** Calls bigger than this (as JSON) are refused before validation; the largest legitimate one is far below. */
const MAX_INPUT_CHARS = 256 * 1024;

/**
 * Checks one call: returns the method and input to dispatch, or throws `bad_request`.
 * `undefined`/`null` input counts as `{}` (methods without input).
 */
export function validateCall(method: unknown, input: unknown): { method: ControlMethod; input: unknown } {
  if (typeof method !== 'string' || !Object.hasOwn(controlMethods, method)) {
    throw new CairnError(
      'bad_request',
      `unknown control method: ${typeof method === 'string' ? method.slice(0, 64) : typeof method}`,
    );
  }
  const value = input ?? {};
  let size: number;
  try {
    size = JSON.stringify(value)?.length ?? 0;
  } catch {
    throw new CairnError('bad_request', 'input is not JSON data');
  }
  if (size > MAX_INPUT_CHARS) throw new CairnError('bad_request', 'input too large');
  const v = validators.get(method)!;
  if (!v.Check(value)) {
    const first = v.Errors(value)[0] as { instancePath?: string; message?: string } | undefined;
    throw new CairnError(
      'bad_request',
      `invalid input for ${method}: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim(),
    );
  }
  return { method: method as ControlMethod, input: value };
}

/** Turns anything thrown into the error half of an envelope (stable codes kept, others → internal). */
export function errorReply(err: unknown): IpcReply {
  if (err instanceof CairnError) return { ok: false, error: { code: err.code, message: err.message } };
  const code = (err as { code?: unknown })?.code;
  if (isErrorCode(code))
    return { ok: false, error: { code, message: String((err as Error).message ?? code) } };
  return {
    ok: false,
    error: { code: 'internal', message: err instanceof Error ? err.message : String(err) },
  };
}

/** Options of {@link registerControlIpc}. */
export interface ControlIpcOptions {
  /** True when a sender frame URL is our renderer (e.g. starts with `app://cairn/`). */
  isTrustedSender: (url: string) => boolean;
  /**
   * Methods the shell answers itself instead of the control service (`pickFolder` with the
   * OS folder dialog). Their calls pass the same sender and schema checks first.
   */
  shellMethods?: Partial<ControlApi>;
  /** Hook run after a successful call (the shell applies start-at-login from setSettings). */
  afterCall?: (method: ControlMethod, result: unknown) => void;
  /**
   * Gets what {@link afterCall} threw. The call itself succeeded (e.g. the settings were
   * saved), so the reply stays `ok`; the shell reports the failure as a warning.
   */
  onAfterCallError?: (method: ControlMethod, err: unknown) => void;
}

/** Handles `cairn:call` on `ipcMain`; returns a function that removes the handler. */
export function registerControlIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  control: ShellControl,
  opts: ControlIpcOptions,
): () => void {
  ipcMain.handle(
    CALL_CHANNEL,
    async (event: IpcMainInvokeEvent, method: unknown, input: unknown): Promise<IpcReply> => {
      const url = event.senderFrame?.url ?? '';
      if (!opts.isTrustedSender(url))
        return {
          ok: false,
          error: { code: 'forbidden', message: 'calls are accepted from the Cairn window only' },
        };
      try {
        const call = validateCall(method, input);
        const own = opts.shellMethods?.[call.method];
        const fn = (own ?? control.api[call.method]) as (i: unknown) => Promise<unknown>;
        const result = await fn(call.input);
        try {
          opts.afterCall?.(call.method, result);
        } catch (err) {
          opts.onAfterCallError?.(call.method, err);
        }
        return { ok: true, result: result ?? {} };
      } catch (err) {
        return errorReply(err);
      }
    },
  );
  return () => ipcMain.removeHandler(CALL_CHANNEL);
}

/** Forwards control events to a window; returns the unsubscribe function. */
export function forwardEvents(
  control: ShellControl,
  contents: Pick<WebContents, 'send' | 'isDestroyed'>,
): () => void {
  return control.subscribe((event: ControlEvent) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
  });
}
