#include "copy_range.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#ifdef __linux__
#include <unistd.h>
#endif

namespace cairn {
namespace {

bool IsIndex(double v, double limit) { return std::isfinite(v) && v >= 0 && v <= limit && std::floor(v) == v; }

const char* ErrnoName(int e) {
  switch (e) {
    case ENOSYS: return "ENOSYS";
    case EXDEV: return "EXDEV";
    case EINVAL: return "EINVAL";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EBADF: return "EBADF";
    case EIO: return "EIO";
    case ENOSPC: return "ENOSPC";
    case EFBIG: return "EFBIG";
    case EISDIR: return "EISDIR";
    case EPERM: return "EPERM";
    case ETXTBSY: return "ETXTBSY";
    case EOVERFLOW: return "EOVERFLOW";
    case ENOMEM: return "ENOMEM";
    default: return "EUNKNOWN";
  }
}

class CopyRangeWorker : public Napi::AsyncWorker {
 public:
  CopyRangeWorker(Napi::Env env, int in, int64_t off_in, int out, int64_t off_out, uint64_t len)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), in_(in), off_in_(off_in),
        out_(out), off_out_(off_out), len_(len) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
#ifdef __linux__
    loff_t a = off_in_, b = off_out_;
    while (done_ < len_) {
      // The kernel may copy less than asked (it caps a call near 2 GiB): loop until done.
      ssize_t n = copy_file_range(in_, &a, out_, &b, static_cast<size_t>(len_ - done_), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        code_ = ErrnoName(errno);
        message_ = std::string("copy_file_range: ") + std::strerror(errno);
        return;
      }
      if (n == 0) {
        code_ = "SHORT";
        message_ = "copy_file_range: the source ended before the range";
        return;
      }
      done_ += static_cast<uint64_t>(n);
    }
#else
    code_ = "ENOSYS";
    message_ = "copy_file_range is Linux only";
#endif
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (code_ != nullptr) {
      Napi::Error err = Napi::Error::New(env, message_);
      err.Set("code", Napi::String::New(env, code_));
      err.Set("bytesCopied", Napi::Number::New(env, static_cast<double>(done_)));
      deferred_.Reject(err.Value());
      return;
    }
    deferred_.Resolve(Napi::Number::New(env, static_cast<double>(done_)));
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  int in_;
  int64_t off_in_;
  int out_;
  int64_t off_out_;
  uint64_t len_;
  uint64_t done_ = 0;
  const char* code_ = nullptr;
  std::string message_;
};

}  // namespace

Napi::Value CopyRangeJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  constexpr double kMaxSafeInteger = 9007199254740991.0;
  if (info.Length() != 5) {
    Napi::TypeError::New(env, "copyRange(fdIn, offIn, fdOut, offOut, length)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  double v[5];
  for (size_t k = 0; k < 5; ++k) {
    if (!info[k].IsNumber()) {
      Napi::TypeError::New(env, "copyRange: numeric arguments expected").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    v[k] = info[k].As<Napi::Number>().DoubleValue();
  }
  if (!IsIndex(v[0], 2147483647.0) || !IsIndex(v[2], 2147483647.0) || !IsIndex(v[1], kMaxSafeInteger) ||
      !IsIndex(v[3], kMaxSafeInteger) || !IsIndex(v[4], kMaxSafeInteger)) {
    Napi::RangeError::New(env, "copyRange: fds must be integers in [0, 2^31), offsets and length in [0, 2^53)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto* w = new CopyRangeWorker(env, static_cast<int>(v[0]), static_cast<int64_t>(v[1]), static_cast<int>(v[2]),
                                static_cast<int64_t>(v[3]), static_cast<uint64_t>(v[4]));
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace cairn
