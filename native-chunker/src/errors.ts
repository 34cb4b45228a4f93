/**
 * Errors of the chunker. The package imports nothing of ours, so this is not a CairnError;
 * the codes are chosen to map 1:1 onto src-shared/errors.ts codes (`unreadable`,
 * `not_found`, `changed_during_read`; `invalid_params` → `bad_request`; `is_directory` →
 * `unreadable`) so the engine can wrap them without a lookup table of its own.
 */

/** Stable code of a {@link ChunkerError}. */
export type ChunkerErrorCode =
  'unreadable' | 'not_found' | 'changed_during_read' | 'invalid_params' | 'is_directory';

/**
 * A chunking failure with a stable code:
 * - `not_found`: the path does not exist (ENOENT, ENOTDIR).
 * - `unreadable`: permission denied, I/O error, or not a regular file (FIFO, device, socket).
 * - `is_directory`: the path is a folder.
 * - `changed_during_read`: size, mtime or inode changed between open and end of read, or the
 *   file was shorter / longer than its size at open. Retry later; never commit what was read.
 * - `invalid_params`: chunk parameters out of range (see `resolveParams`).
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
