// Node-API binding of the FastCDC scanner (cc/cutter.h). Node-API keeps one build valid across
// Node and Electron versions. The calls are synchronous and pure CPU; src/pool.ts runs them on
// worker threads, so the main thread is never blocked by a large buffer.
#include <napi.h>

#include <cmath>
#include <string>
#include <vector>

#include "copy_range.h"
#include "cutter.h"

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1: JS numbers are exact below
constexpr double kUint32Limit = 4294967296.0;            // 2^32

// True when `v` is an integer in [0, limit]. Casting a negative, NaN, infinite or too large
// double to an unsigned integer is undefined behaviour in C++, so every number from JS goes
// through this before a cast.
bool IsIndex(double v, double limit) { return std::isfinite(v) && v >= 0 && v <= limit && std::floor(v) == v; }

void ThrowRange(Napi::Env env, const char* what) {
  Napi::RangeError::New(env, std::string("scan: ") + what).ThrowAsJavaScriptException();
}

// scan(buf: Uint8Array, start, end, st: Float64Array[2] = [fp, len], min, avg, max, maskS, maskL)
//   → Float64Array of cut positions (indexes into buf); st updated in place.
// Throws TypeError for wrong argument types and RangeError for values out of range: start, end,
// min, avg and max must be integers in [0, 2^53) with start <= end <= buf.length and
// 64 <= min <= avg <= max; the masks and st[0] integers in [0, 2^32); st[1] an integer below max
// (a chunk that reached max has already been cut).
Napi::Value ScanJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 9 || !info[0].IsTypedArray() || !info[3].IsTypedArray()) {
    Napi::TypeError::New(env, "scan(buf, start, end, state, min, avg, max, maskS, maskL)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  double num[9] = {};
  for (size_t k : {1, 2, 4, 5, 6, 7, 8}) {
    if (!info[k].IsNumber()) {
      Napi::TypeError::New(env, "scan: numeric argument expected").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    num[k] = info[k].As<Napi::Number>().DoubleValue();
  }
  auto buf = info[0].As<Napi::TypedArray>();
  auto st = info[3].As<Napi::TypedArray>();
  if (buf.TypedArrayType() != napi_uint8_array || st.TypedArrayType() != napi_float64_array || st.ElementLength() < 2) {
    Napi::TypeError::New(env, "scan: buf must be a Uint8Array and state a Float64Array(2)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto bytes = buf.As<Napi::Uint8Array>();
  auto state = st.As<Napi::Float64Array>();
  for (size_t k : {1, 2, 4, 5, 6}) {
    if (!IsIndex(num[k], kMaxSafeInteger)) {
      ThrowRange(env, "start, end and sizes must be integers in [0, 2^53)");
      return env.Undefined();
    }
  }
  for (size_t k : {7, 8}) {
    if (!IsIndex(num[k], kUint32Limit - 1)) {
      ThrowRange(env, "masks must be integers in [0, 2^32)");
      return env.Undefined();
    }
  }
  const uint64_t start = static_cast<uint64_t>(num[1]), end = static_cast<uint64_t>(num[2]);
  cairn::ScanParams p{static_cast<uint64_t>(num[4]), static_cast<uint64_t>(num[5]), static_cast<uint64_t>(num[6]),
                      static_cast<uint32_t>(num[7]), static_cast<uint32_t>(num[8])};
  if (start > end || end > bytes.ElementLength() || p.min_size < 2 * cairn::kWindow || p.min_size > p.avg_size ||
      p.avg_size > p.max_size) {
    ThrowRange(env, "range or parameters out of bounds");
    return env.Undefined();
  }
  const double fp0 = state[0], len0 = state[1];
  if (!IsIndex(fp0, kUint32Limit - 1) || !IsIndex(len0, kMaxSafeInteger) || len0 >= static_cast<double>(p.max_size)) {
    ThrowRange(env, "state must be [fp in [0, 2^32), len in [0, max)]");
    return env.Undefined();
  }
  uint32_t fp = static_cast<uint32_t>(fp0);
  uint64_t len = static_cast<uint64_t>(len0);
  std::vector<double> cuts;
  cuts.reserve((end - start) / p.min_size + 1);
  cairn::Scan(bytes.Data(), start, end, fp, len, p, [&](size_t pos) { cuts.push_back(static_cast<double>(pos)); });
  state[0] = fp;
  state[1] = static_cast<double>(len);
  auto out = Napi::Float64Array::New(env, cuts.size());
  for (size_t k = 0; k < cuts.size(); ++k) out[k] = cuts[k];
  return out;
}

// gear() → Uint32Array copy of the compiled-in gear table (for the table-equality test).
Napi::Value GearJs(const Napi::CallbackInfo& info) {
  auto out = Napi::Uint32Array::New(info.Env(), 256);
  for (size_t k = 0; k < 256; ++k) out[k] = cairn::kGearV1[k];
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("scan", Napi::Function::New(env, ScanJs, "scan"));
  exports.Set("gear", Napi::Function::New(env, GearJs, "gear"));
  exports.Set("copyRange", Napi::Function::New(env, cairn::CopyRangeJs, "copyRange"));
  return exports;
}

}  // namespace

NODE_API_MODULE(native_chunker, Init)
