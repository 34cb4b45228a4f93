/**
 * Loads the C++ addon (build/Release/native_chunker.node) and exposes its scanner, or null
 * when it cannot load (not built, wrong ABI, or CAIRN_CHUNKER=typescript in the environment),
 * in which case the pure-TypeScript scanner (src/cutter.ts) is used. Both cut at the same
 * offsets (test/vectors-v1.json, run by test/vectors.test.ts, proves it).
 */
import { createRequire } from 'node:module';
import type { ScanState, Scanner } from './cutter.ts';

/** Shape of the compiled addon (cc/addon.cc). */
export interface NativeAddon {
  /** Same contract as {@link Scanner}, params passed flat; returns the cut positions. */
  scan(
    buf: Uint8Array,
    start: number,
    end: number,
    st: ScanState,
    minSize: number,
    avgSize: number,
    maxSize: number,
    maskS: number,
    maskL: number,
  ): Float64Array;
  /** The gear table compiled into the addon (for the table-equality test). */
  gear(): Uint32Array;
  /** copy_file_range(2) on the thread pool (cc/copy_range.h); absent in builds older than it. */
  copyRange?: (fdIn: number, offIn: number, fdOut: number, offOut: number, length: number) => Promise<number>;
}

function load(): NativeAddon | null {
  if (process.env.CAIRN_CHUNKER === 'typescript') return null;
  try {
    const require = createRequire(import.meta.url);
    return require('../build/Release/native_chunker.node') as NativeAddon;
  } catch {
    return null;
  }
}

/** The addon, or null when it is unavailable. */
export const addon: NativeAddon | null = load();

/** The native {@link Scanner}, or null when the addon is unavailable. */
export const scanNative: Scanner | null = addon
  ? (buf, start, end, st, p) =>
      addon.scan(buf, start, end, st, p.minSize, p.avgSize, p.maxSize, p.maskS, p.maskL)
  : null;
