// Node-API binding of the FastCDC scanner (cc/cutter.h). Node-API keeps one build valid across
// Node and Electron versions. The calls are synchronous and pure CPU; src/pool.ts runs them on
// worker threads, so the main thread is never blocked by a large buffer.
#include <napi.h>

#include <vector>

#include "cutter.h"

namespace {

uint64_t Uint(const Napi::CallbackInfo& info, size_t i) {
  const double v = info[i].As<Napi::Number>().DoubleValue();
  return static_cast<uint64_t>(v);
}

// scan(buf: Uint8Array, start, end, st: Float64Array[2] = [fp, len], min, avg, max, maskS, maskL)
//   → Float64Array of cut positions (indexes into buf); st updated in place.
Napi::Value ScanJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 9 || !info[0].IsTypedArray() || !info[3].IsTypedArray()) {
    Napi::TypeError::New(env, "scan(buf, start, end, state, min, avg, max, maskS, maskL)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  for (size_t k : {1, 2, 4, 5, 6, 7, 8}) {
    if (!info[k].IsNumber()) {
      Napi::TypeError::New(env, "scan: numeric argument expected").ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  auto buf = info[0].As<Napi::TypedArray>();
  auto st = info[3].As<Napi::TypedArray>();
  if (buf.TypedArrayType() != napi_uint8_array || st.TypedArrayType() != napi_float64_array || st.ElementLength() < 2) {
    Napi::TypeError::New(env, "scan: buf must be a Uint8Array and state a Float64Array(2)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto bytes = buf.As<Napi::Uint8Array>();
  auto state = st.As<Napi::Float64Array>();
  const uint64_t start = Uint(info, 1), end = Uint(info, 2);
  cairn::ScanParams p{Uint(info, 4), Uint(info, 5), Uint(info, 6), static_cast<uint32_t>(Uint(info, 7)),
                      static_cast<uint32_t>(Uint(info, 8))};
  if (start > end || end > bytes.ElementLength() || p.min_size < 2 * cairn::kWindow || p.min_size > p.avg_size ||
      p.avg_size > p.max_size) {
    Napi::RangeError::New(env, "scan: range or parameters out of bounds").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  uint32_t fp = static_cast<uint32_t>(state[0]);
  uint64_t len = static_cast<uint64_t>(state[1]);
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
  return exports;
}

}  // namespace

NODE_API_MODULE(native_chunker, Init)
