/**
 * In-kernel copy of a byte range between two open files (Linux `copy_file_range(2)`, from the
 * addon), for rebuilding a file from blocks another local file already holds: one page-cache
 * copy instead of a read into user space plus a write out of it (measured: about ⅓ of the
 * system CPU of read/write for 1 GiB at a 1-byte offset shift), and a reflink where the
 * filesystem shares extents (btrfs, XFS) and offsets allow.
 *
 * It lives in this package because it is the project's one native build; it shares nothing
 * with the chunker but the addon file.
 */
import { addon } from './native.ts';

/** Why {@link copyRange} was refused; the caller copies with read/write instead. */
export class CopyRangeUnsupported extends Error {
  /** errno name (`ENOSYS`, `EXDEV`, `EINVAL`, `EOPNOTSUPP`, …). */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'CopyRangeUnsupported';
    this.code = code;
  }
}

/** errnos that mean "this pair of files cannot be copied in the kernel" rather than an I/O failure. */
const UNSUPPORTED = new Set(['ENOSYS', 'EXDEV', 'EINVAL', 'EOPNOTSUPP', 'EBADF', 'EPERM', 'ETXTBSY', 'EUNKNOWN']);

/**
 * Copies `length` bytes at `offIn` of the file open as `fdIn` to `offOut` of the file open as
 * `fdOut` (positional: the descriptors' offsets are not used or moved), on the libuv thread pool.
 * Null when unavailable (not Linux, addon not built, `CAIRN_CHUNKER=typescript`).
 * @returns bytes copied (always `length`)
 * @throws CopyRangeUnsupported when the kernel or filesystem refuses this pair (copy another way);
 *   an Error with `code` `SHORT` (the source ended first), `EIO`, `ENOSPC`, … for real failures;
 *   TypeError / RangeError for arguments that are not integers in range.
 */
const native = process.platform === 'linux' ? (addon?.copyRange ?? null) : null;
export const copyRange: ((fdIn: number, offIn: number, fdOut: number, offOut: number, length: number) => Promise<number>) | null =
  native
    ? (fdIn, offIn, fdOut, offOut, length) =>
        // Called synchronously: bad arguments throw here, before any syscall.
        native(fdIn, offIn, fdOut, offOut, length).catch(
          (e: unknown) => {
            const code = (e as { code?: unknown }).code;
            if (typeof code === 'string' && UNSUPPORTED.has(code)) throw new CopyRangeUnsupported(code, (e as Error).message);
            throw e;
          },
        )
    : null;
