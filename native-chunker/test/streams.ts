/**
 * Deterministic byte streams for the protocol-v1 test vectors, defined so any implementation
 * can rebuild them:
 * - `sha256ctr`: bytes = SHA-256(UTF-8 seed || uint32 big-endian k) for k = 0, 1, 2, …,
 *   concatenated and truncated to `length`;
 * - `zeros`: `length` zero bytes.
 */
import { createHash } from 'node:crypto';

/** Description of a vector's input stream. */
export type StreamSpec =
  { kind: 'sha256ctr'; seed: string; length: number } | { kind: 'zeros'; length: number };

/** Builds the bytes of `spec`. */
export function buildStream(spec: StreamSpec): Buffer {
  const out = Buffer.alloc(spec.length);
  if (spec.kind === 'zeros') return out;
  const seed = Buffer.from(spec.seed, 'utf8');
  const msg = Buffer.alloc(seed.length + 4);
  seed.copy(msg);
  for (let k = 0, pos = 0; pos < spec.length; k++, pos += 32) {
    msg.writeUInt32BE(k, seed.length);
    createHash('sha256').update(msg).digest().copy(out, pos);
  }
  return out;
}
