/**
 * Stable error codes of protocol v1 and of the control API.
 *
 * Every error that crosses a process boundary (server → client, engine → UI/CLI) is a
 * {@link CairnError} carrying one of these codes. Codes are part of the protocol: never
 * rename one; add new ones instead. The HTTP status is the one the server answers with.
 *
 * May import: nothing of ours.
 */
export const ErrorCodes = {
  // request shape
  bad_request: { status: 400, message: 'The request is malformed or fails its schema.' },
  body_too_large: { status: 413, message: 'The request body is over its size limit.' },
  headers_too_large: { status: 431, message: 'The request line or headers are over the size limit (16 KiB).' },
  unsupported_media_type: { status: 415, message: 'The request body has the wrong content type.' },
  // auth
  unauthorized: { status: 401, message: 'Missing, wrong or revoked device token.' },
  invalid_credentials: { status: 401, message: 'Wrong email or password.' },
  email_taken: { status: 409, message: 'An account with this email already exists.' },
  forbidden: { status: 403, message: 'The caller has no role in this namespace that allows this.' },
  rate_limited: { status: 429, message: 'Too many requests; retry later.' },
  // paths
  path_invalid: { status: 400, message: 'The path is not a valid Cairn path.' },
  path_too_long: { status: 400, message: 'The path is over 4096 UTF-8 bytes.' },
  name_too_long: { status: 400, message: 'A path component is over 255 UTF-8 bytes.' },
  path_case_collision: {
    status: 409,
    message: 'Another entry has the same name ignoring case and Unicode normalisation.',
  },
  path_exists: { status: 409, message: 'An entry already exists at the target path.' },
  parent_not_folder: { status: 409, message: 'A parent of the path is a file.' },
  not_found: { status: 404, message: 'No such entry, revision, block or resource.' },
  move_into_self: { status: 409, message: 'A folder cannot be moved into itself.' },
  // commits
  conflict: { status: 409, message: 'parent_rev is stale: the entry changed since.' },
  block_missing: { status: 400, message: 'The commit names a block this account has not uploaded.' },
  size_mismatch: { status: 400, message: 'The commit size does not match the sum of its block sizes.' },
  quota_exceeded: { status: 403, message: 'The commit would exceed the account storage quota.' },
  // blocks
  block_hash_mismatch: { status: 400, message: 'The block bytes do not hash to the given SHA-256.' },
  block_too_large: { status: 413, message: 'The block is over the maximum block size.' },
  // journal
  cursor_invalid: { status: 400, message: 'The cursor is malformed.' },
  // downloads
  range_not_satisfiable: { status: 416, message: 'The requested byte range is outside the file.' },
  // sharing (shared folders and public links)
  not_a_folder: { status: 409, message: 'Only a folder can be shared.' },
  share_nested: { status: 409, message: 'A folder inside a shared folder cannot be shared.' },
  share_contains_shared: { status: 409, message: 'A folder that contains a shared folder cannot be shared.' },
  mount_point: {
    status: 409,
    message: 'The path is a shared folder (a mount point) or inside one: write through the shared namespace.',
  },
  not_shared: { status: 409, message: 'The namespace is not a shared folder.' },
  already_member: { status: 409, message: 'The account is already a member of, or invited to, this shared folder.' },
  owner_cannot_leave: { status: 409, message: 'The owner cannot leave or be removed: unshare the folder instead.' },
  link_password: { status: 401, message: 'This link needs a password, or the password was wrong.' },
  link_expired: { status: 410, message: 'This link has expired.' },
  link_revoked: { status: 410, message: 'This link was revoked.' },
  // server side
  internal: { status: 500, message: 'Internal error.' },
  unavailable: { status: 503, message: 'The server is shutting down or not ready.' },
  // client / engine side (never sent by the server)
  offline: { status: 503, message: 'The server cannot be reached.' },
  changed_during_read: { status: 409, message: 'The file changed while it was being read.' },
  unreadable: { status: 403, message: 'The file cannot be read.' },
  not_logged_in: { status: 401, message: 'This device is not linked to an account.' },
  not_running: { status: 503, message: 'The Cairn engine is not running for this home.' },
  token_in_keychain: {
    status: 401,
    message:
      "This device's token is kept in the OS keychain by the Cairn desktop app; the cairn command cannot read it.",
  },
  unsupported: { status: 501, message: 'Not available here (e.g. a native dialog in browser mode).' },
  usage: { status: 400, message: 'Wrong command-line usage.' },
} as const satisfies Record<string, { status: number; message: string }>;

/** One of the stable error codes, e.g. `"conflict"`. */
export type ErrorCode = keyof typeof ErrorCodes;

/** JSON shape of every error on the wire: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/**
 * A typed error with a stable {@link ErrorCode}. Thrown by server handlers, the HTTP client
 * (decoded from an {@link ErrorBody}) and the engine. `details` holds machine-readable
 * context, e.g. `{ current: Entry }` for `conflict`.
 */
export class CairnError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ErrorCodes[code].message);
    this.name = 'CairnError';
    this.code = code;
    this.details = details;
  }
  /** HTTP status the server answers with for this code. */
  get status(): number {
    return ErrorCodes[this.code].status;
  }
  toBody(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }
}

/** True when `code` is one of the stable codes (for decoding untrusted bodies). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ErrorCodes, code);
}

/** Decodes a wire {@link ErrorBody}; anything else becomes `internal` with the raw text. */
export function errorFromBody(body: unknown, fallbackStatus?: number): CairnError {
  const e = (body as ErrorBody | undefined)?.error;
  if (e && isErrorCode(e.code)) return new CairnError(e.code, String(e.message ?? ''), e.details);
  return new CairnError('internal', `unexpected error body (HTTP ${fallbackStatus ?? '?'})`, { body });
}
