/** The scanners under test: always the TypeScript reference, plus the addon when it is built. */
import { scanTs, type Scanner } from '../src/cutter.ts';
import { scanNative } from '../src/native.ts';

export const scanners: Array<[name: string, scan: Scanner]> = [['typescript', scanTs]];
if (scanNative) scanners.push(['native', scanNative]);

/** Deterministic pseudo-random bytes (xorshift32) — fast, for property tests. */
export function prngBytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x >>> 24;
  }
  return out;
}
