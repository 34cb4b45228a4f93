// copy_file_range(2) binding: copies a byte range between two open files inside the kernel (no
// trip through user space: one page-cache copy instead of a read copy plus a write copy, and
// a reflink where the filesystem shares extents). Linux only; elsewhere the JS side copies with
// read/write. Runs on the libuv thread pool (Napi::AsyncWorker), never on the JS thread.
#pragma once
#include <napi.h>

namespace cairn {

// copyRange(fdIn, offIn, fdOut, offOut, length) → Promise<number> of bytes copied (== length).
// Rejects with an Error whose `code` is the errno name (ENOSYS, EXDEV, EINVAL, EOPNOTSUPP, EIO,
// ENOSPC, …) or "SHORT" when the source ended before `length` bytes. Throws TypeError/RangeError
// synchronously for bad arguments (fds must be integers in [0, 2^31), offsets and length
// integers in [0, 2^53)).
Napi::Value CopyRangeJs(const Napi::CallbackInfo& info);

}  // namespace cairn
