// FastCDC cut-point scan, C++ twin of src/cutter.ts (which documents the algorithm and is the
// reference: both must cut at exactly the same offsets; test/vectors-v1.json and the
// native-vs-TypeScript property test prove it).
//
// Algorithm: W. Xia et al., "FastCDC: a Fast and Efficient Content-Defined Chunking Approach
// for Data Deduplication", USENIX ATC 2016 (Algorithm 1: gear fingerprint, cut-point skipping,
// normalised chunking). Cairn v1 uses a 32-bit fingerprint whose high bits form the masks.
#pragma once
#include <cstddef>
#include <cstdint>

#include "gear.h"

namespace cairn {

constexpr uint64_t kWindow = 32;  // bytes that influence a 32-bit gear fingerprint

struct ScanParams {
  uint64_t min_size, avg_size, max_size;
  uint32_t mask_s, mask_l;
};

// Scans buf[start, end) resuming from (fp, len); calls emit(pos) for each cut (pos = exclusive
// end of a completed chunk, as an index into buf) and leaves (fp, len) for the next buffer.
template <typename Emit>
inline void Scan(const uint8_t* buf, size_t start, size_t end, uint32_t& fp_io, uint64_t& len_io, const ScanParams& p,
                 Emit&& emit) {
  const uint32_t* const g = kGearV1;
  const uint64_t min = p.min_size, avg = p.avg_size, max = p.max_size;
  const uint32_t mask_s = p.mask_s, mask_l = p.mask_l;
  const uint64_t skip_to = min - kWindow;
  uint32_t fp = fp_io;
  uint64_t len = len_io;
  size_t i = start;
  auto avail = [&](uint64_t want) -> size_t {
    const uint64_t left = end - i;
    return static_cast<size_t>(want < left ? want : left);
  };
  for (;;) {
    if (len < skip_to) {  // cut-point skipping: these bytes cannot influence any candidate
      const size_t adv = avail(skip_to - len);
      i += adv;
      len += adv;
      if (len < skip_to) break;
      fp = 0;
    }
    if (len < min - 1) {  // prime the 32-byte window before the first candidate
      const size_t e = i + avail(min - 1 - len);
      const size_t i0 = i;
      for (; i < e; ++i) fp = (fp << 1) + g[buf[i]];
      len += i - i0;
      if (len < min - 1) break;
    }
    bool cut = false;
    if (len < avg - 1) {  // normalised chunking below the average: harder mask
      const size_t e = i + avail(avg - 1 - len);
      const size_t i0 = i;
      while (i < e) {
        fp = (fp << 1) + g[buf[i++]];
        if (!(fp & mask_s)) {
          cut = true;
          break;
        }
      }
      len += i - i0;
      if (!cut && len < avg - 1) break;
    }
    if (!cut) {  // from the average to the maximum: easier mask; cut at max regardless
      const size_t e = i + avail(max - len);
      const size_t i0 = i;
      while (i < e) {
        fp = (fp << 1) + g[buf[i++]];
        if (!(fp & mask_l)) {
          cut = true;
          break;
        }
      }
      len += i - i0;
      if (!cut && len < max) break;
    }
    emit(i);
    len = 0;
    fp = 0;
  }
  fp_io = fp;
  len_io = len;
}

}  // namespace cairn
