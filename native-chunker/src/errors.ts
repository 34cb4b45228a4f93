/**
 * Errors of the chunker. The package imports nothing of ours, so this is not a CairnError;
 * the codes are chosen to map 1:1 onto src-shared/errors.ts codes (`unreadable`,
 * `not_found`, `changed_during_read`, `internal`; `invalid_params` → `bad_request`;
 * `is_directory` → `unreadable`) so the engine can wrap them without a lookup table of its own.
 */

/** Stable code of a {@link ChunkerError}. */
export type ChunkerErrorCode =
  'unreadable' | 'not_found' | 'changed_during_read' | 'invalid_params' | 'is_directory' | 'internal';

const CODES: ReadonlySet<string> = new Set<ChunkerErrorCode>([
  'unreadable',
  'not_found',
  'changed_during_read',
  'invalid_params',
  'is_directory',
  'internal',
]);

/** True when `code` is one of the {@link ChunkerErrorCode}s (errors crossing a thread lose their class). */
export function isChunkerErrorCode(code: unknown): code is ChunkerErrorCode {
  return typeof code === 'string' && CODES.has(code);
}

/**
 * A chunking failure with a stable code:
 * - `not_found`: the path does not exist (ENOENT, ENOTDIR).
 * - `unreadable`: permission denied, I/O error, or not a regular file (FIFO, device, socket).
 * - `is_directory`: the path is a folder.
 * - `changed_during_read`: size, mtime or inode changed between open and end of read, the
 *   file was shorter / longer than its size at open, or its timestamps were too recent to
 *   prove that (see `RACY_MARGIN_MS` in src/file.ts). Retry later; never commit what was read.
 * - `invalid_params`: chunk parameters out of range (see `resolveParams`).
 * - `internal`: a bug or a broken environment, not the file: a worker thread died during the
 *   task, a worker / the addon threw, or a streaming chunker was fed after `finish()`.
 *   Nothing about the file is known; retrying may succeed.
 * `path` is the file path when one is involved; `cause` is the underlying error, if any.
 */
export class ChunkerError extends Error {
  readonly code: ChunkerErrorCode;
  readonly path: string | undefined;
  constructor(code: ChunkerErrorCode, message: string, path?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ChunkerError';
    this.code = code;
    this.path = path;
  }
}

/**
 * `err` as a ChunkerError: itself when it already is one, else an `internal` error whose
 * message says `where` it happened and keeps the original as `cause`.
 */
export function asChunkerError(err: unknown, where: string): ChunkerError {
  if (err instanceof ChunkerError) return err;
  const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new ChunkerError('internal', `${where}: ${what}`, undefined, err);
}
