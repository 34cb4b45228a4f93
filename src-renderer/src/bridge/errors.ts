/**
 * Errors as the UI sees them: a stable code plus a message. The engine's codes come from
 * src-shared/errors.ts; `network` is the UI's own code for "the engine did not answer".
 */

/** An error from a control call, with a stable `code`. */
export class ControlError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ControlError';
    this.code = code;
  }
}

/** Turns anything thrown by a call into a ControlError (keeps the code when there is one). */
export function toControlError(err: unknown): ControlError {
  if (err instanceof ControlError) return err;
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    // Electron wraps errors thrown in ipcMain handlers: "Error invoking remote method 'cairn:call': CairnError: [code] msg"
    const msg = typeof e.message === 'string' ? e.message : String(err);
    if (typeof e.code === 'string') return new ControlError(e.code, msg);
    const m = /\[([a-z_]+)\]\s*(.*)$/s.exec(msg);
    if (m) return new ControlError(m[1]!, m[2]!);
    return new ControlError('internal', msg);
  }
  return new ControlError('internal', String(err));
}

/** Short sentence for an error shown in a banner. */
export function describeError(err: unknown): string {
  const e = toControlError(err);
  switch (e.code) {
    case 'network':
      return 'Cairn is not answering. Is it still running?';
    case 'unauthorized':
      return e.message || 'The server refused this device. Sign in again.';
    case 'invalid_credentials':
      return 'Wrong email or password.';
    case 'email_taken':
      return 'An account with this email already exists. Log in instead.';
    case 'offline':
      return 'The server cannot be reached. Check the address and your connection.';
    default:
      return e.message || e.code;
  }
}
