/**
 * FastCDC parameters: validation and the derived cut masks.
 *
 * Protocol v1 freezes {@link DEFAULT_PARAMS} together with the gear table (src/gear.ts):
 * min 256 KiB, average 1 MiB, max 4 MiB. They must equal CHUNK_PARAMS_V1 in
 * src-shared/protocol/limits.ts (a test under test/chunker/ checks it).
 */
import { ChunkerError } from './errors.ts';

/** Chunk size parameters, in bytes. */
export interface ChunkParams {
  /** No chunk is shorter than this, except the last chunk of a stream. */
  minSize: number;
  /** Target ("normal") size; must be a power of two. */
  avgSize: number;
  /** No chunk is longer than this. */
  maxSize: number;
}

/** Protocol v1 parameters: 256 KiB / 1 MiB / 4 MiB. */
export const DEFAULT_PARAMS: Readonly<ChunkParams> = Object.freeze({
  minSize: 256 * 1024,
  avgSize: 1024 * 1024,
  maxSize: 4 * 1024 * 1024,
});

/** Bytes of the gear fingerprint's window: a 32-bit fingerprint shifted left once per byte. */
export const WINDOW = 32;
/** Smallest allowed minSize (bytes): the window must fit before the first tested position. */
export const MIN_MIN_SIZE = 64;
/** Largest allowed maxSize (bytes): keeps read buffers (which hold one max-size tail) sane. */
export const MAX_MAX_SIZE = 256 * 1024 * 1024;
/** Normalisation level (FastCDC "NC-2"): the masks have log2(avg) ± 2 one-bits. */
export const NORMALIZATION = 2;

/** Parameters after validation, with the two masks of normalised chunking. */
export interface ResolvedParams extends ChunkParams {
  /** Harder mask (log2(avg)+2 high bits): used while the chunk is shorter than avgSize. */
  maskS: number;
  /** Easier mask (log2(avg)-2 high bits): used from avgSize up to maxSize. */
  maskL: number;
}

/** A uint32 whose `bits` highest bits are set. The high bits of a gear fingerprint depend on the whole window. */
function highBits(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/**
 * Validates `p` (merged over {@link DEFAULT_PARAMS}) and derives the masks.
 * Rules: integers; minSize ≥ 64; avgSize a power of two in [2^6, 2^28];
 * minSize ≤ avgSize ≤ maxSize ≤ 256 MiB.
 * @throws ChunkerError `invalid_params` when a rule is broken.
 */
export function resolveParams(p?: Partial<ChunkParams>): ResolvedParams {
  const { minSize, avgSize, maxSize } = { ...DEFAULT_PARAMS, ...stripUndefined(p) };
  const bad = (why: string): never => {
    throw new ChunkerError(
      'invalid_params',
      `invalid chunk parameters (${minSize}/${avgSize}/${maxSize}): ${why}`,
    );
  };
  for (const v of [minSize, avgSize, maxSize]) if (!Number.isSafeInteger(v)) bad('sizes must be integers');
  if (minSize < MIN_MIN_SIZE) bad(`minSize must be at least ${MIN_MIN_SIZE}`);
  if (avgSize & (avgSize - 1) || avgSize < 64 || avgSize > 2 ** 28)
    bad('avgSize must be a power of two in [64, 2^28]');
  if (minSize > avgSize) bad('minSize must not exceed avgSize');
  if (avgSize > maxSize) bad('avgSize must not exceed maxSize');
  if (maxSize > MAX_MAX_SIZE) bad(`maxSize must not exceed ${MAX_MAX_SIZE}`);
  const bits = Math.log2(avgSize);
  return {
    minSize,
    avgSize,
    maxSize,
    maskS: highBits(bits + NORMALIZATION),
    maskL: highBits(bits - NORMALIZATION),
  };
}

function stripUndefined(p: Partial<ChunkParams> | undefined): Partial<ChunkParams> {
  const out: Partial<ChunkParams> = {};
  if (p?.minSize !== undefined) out.minSize = p.minSize;
  if (p?.avgSize !== undefined) out.avgSize = p.avgSize;
  if (p?.maxSize !== undefined) out.maxSize = p.maxSize;
  return out;
}
