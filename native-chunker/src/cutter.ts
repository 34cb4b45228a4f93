/**
 * The FastCDC cut-point scan in pure TypeScript — the reference the C++ addon (cc/cutter.h)
 * must match byte for byte.
 *
 * Algorithm: FastCDC with normalised chunking — W. Xia, Y. Zhou, H. Jiang, D. Feng, Y. Hua,
 * Y. Hu, Q. Liu, Y. Zhang, "FastCDC: a Fast and Efficient Content-Defined Chunking Approach
 * for Data Deduplication", USENIX ATC 2016, Algorithm 1:
 * - a gear rolling fingerprint `fp = (fp << 1) + GEAR[byte]`;
 * - cut-point skipping: the first minSize bytes of a chunk are never candidates, so they are
 *   not even hashed (except the last 32, so the first candidate sees a full window);
 * - normalised chunking (level 2): below avgSize a candidate must clear the harder mask
 *   maskS (log2(avg)+2 bits), from avgSize on the easier maskL (log2(avg)-2 bits);
 * - a chunk that reaches maxSize is cut there.
 *
 * Cairn's protocol-v1 choices on top of the paper: the fingerprint is 32 bits (as in
 * ronomon/deduplication), so this fallback needs only int32 arithmetic; the masks are the
 * fingerprint's high bits, which depend on all 32 bytes of the window; hashing restarts from 0
 * 32 bytes before minSize, so a cut decision depends only on the 32 bytes ending at the
 * candidate and on the distance from the chunk start. A candidate "matches" when
 * `(fp & mask) === 0` after consuming the chunk's L-th byte (L = chunk length if cut there).
 *
 * The scan is resumable: all state between calls is `[fp, len]` (fingerprint as uint32,
 * bytes of the current chunk seen so far), so a stream can be fed in buffers of any size.
 */
import { GEAR_V1 } from './gear.ts';
import { WINDOW, type ResolvedParams } from './params.ts';

const GEAR = Int32Array.from(GEAR_V1);

/**
 * Resumable scan state: `[0]` = fingerprint (uint32), `[1]` = bytes of the current
 * (unfinished) chunk already consumed. A fresh stream starts at `[0, 0]`.
 */
export type ScanState = Float64Array;

/** Fresh {@link ScanState} for the start of a stream. */
export function newScanState(): ScanState {
  return new Float64Array(2);
}

/**
 * A cut-point scanner: consumes `buf[start..end)` continuing from `st`, returns the cut
 * positions found (indexes into `buf`, each the exclusive end of a completed chunk, in
 * increasing order), and leaves `st` ready for the next buffer. Bytes after the last cut
 * belong to the unfinished chunk.
 */
export type Scanner = (
  buf: Uint8Array,
  start: number,
  end: number,
  st: ScanState,
  p: ResolvedParams,
) => ArrayLike<number>;

/** The pure-TypeScript {@link Scanner}. O(end - start) time, O(cuts) memory. */
export const scanTs: Scanner = (buf, start, end, st, p) => {
  const cuts: number[] = [];
  const min = p.minSize;
  const avg = p.avgSize;
  const max = p.maxSize;
  const maskS = p.maskS | 0;
  const maskL = p.maskL | 0;
  const skipTo = min - WINDOW;
  const G = GEAR;
  let fp = st[0]! | 0;
  let len = st[1]!;
  let i = start;
  for (;;) {
    // Cut-point skipping: bytes that can influence no candidate are not read at all.
    if (len < skipTo) {
      const adv = Math.min(skipTo - len, end - i);
      i += adv;
      len += adv;
      if (len < skipTo) break;
      fp = 0;
    }
    // Prime the window: hash 31 bytes that precede the first candidate (L = min).
    if (len < min - 1) {
      const e = i + Math.min(min - 1 - len, end - i);
      const i0 = i;
      while (i < e) fp = ((fp << 1) + G[buf[i++]!]!) | 0;
      len += i - i0;
      if (len < min - 1) break;
    }
    let cut = false;
    // Normalised chunking, below the average: the harder mask.
    if (len < avg - 1) {
      const e = i + Math.min(avg - 1 - len, end - i);
      const i0 = i;
      while (i < e) {
        fp = ((fp << 1) + G[buf[i++]!]!) | 0;
        if ((fp & maskS) === 0) {
          cut = true;
          break;
        }
      }
      len += i - i0;
      if (!cut && len < avg - 1) break;
    }
    // From the average up to the maximum: the easier mask; at maxSize, cut regardless.
    if (!cut) {
      const e = i + Math.min(max - len, end - i);
      const i0 = i;
      while (i < e) {
        fp = ((fp << 1) + G[buf[i++]!]!) | 0;
        if ((fp & maskL) === 0) {
          cut = true;
          break;
        }
      }
      len += i - i0;
      if (!cut && len < max) break;
    }
    cuts.push(i);
    len = 0;
    fp = 0;
  }
  st[0] = fp >>> 0;
  st[1] = len;
  return cuts;
};
