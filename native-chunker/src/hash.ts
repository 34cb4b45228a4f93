/**
 * SHA-256 of blocks and the protocol-v1 content hash.
 *
 * Bulk hashing goes through node:crypto (OpenSSL, which uses the CPU's SHA extensions:
 * ≈ 1.5 GB/s per core here). @noble/hashes (pure JS, ≈ 0.12 GB/s) is used only where
 * node:crypto does not exist (a browser renderer), never on a hot path in Node. node:crypto
 * is looked up at run time (`process.getBuiltinModule`), not imported, and nothing here uses
 * Buffer, so this module also loads in a browser (see src/portable.ts).
 *
 * `contentHash` duplicates src-shared/hash.ts (this package imports nothing of ours);
 * test/chunker/protocol.test.ts checks that the two agree.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type * as NodeCryptoModule from 'node:crypto';

type NodeCrypto = typeof NodeCryptoModule;
const nodeCrypto: NodeCrypto | undefined = globalThis.process?.getBuiltinModule?.('node:crypto') as
  NodeCrypto | undefined;

const HEX_HASH = /^[0-9a-f]{64}$/u;

/** Lowercase hex SHA-256 (FIPS 180-4) of `buf`: node:crypto when present, else @noble/hashes. */
export function hashBlock(buf: Uint8Array): string {
  if (nodeCrypto) return nodeCrypto.createHash('sha256').update(buf).digest('hex');
  return hashBlockPortable(buf);
}

/** {@link hashBlock} in pure JS (@noble/hashes, ≈ 0.12 GB/s): only where node:crypto is missing. */
export function hashBlockPortable(buf: Uint8Array): string {
  let hex = '';
  for (const b of nobleSha256(buf)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Content hash of a file (protocol v1): lowercase hex SHA-256 of the concatenation of its
 * blocks' raw 32-byte digests, in order; the empty file (no blocks) hashes the empty string.
 * `hash` is the SHA-256 to use (default {@link hashBlock}).
 * @throws TypeError when a block hash is not 64 lowercase hex digits.
 */
export function contentHash(
  blockHashes: readonly string[],
  hash: (buf: Uint8Array) => string = hashBlock,
): string {
  const raw = new Uint8Array(blockHashes.length * 32);
  blockHashes.forEach((h, i) => {
    if (typeof h !== 'string' || !HEX_HASH.test(h)) throw new TypeError(`not a block hash: ${String(h)}`);
    for (let j = 0; j < 32; j++) raw[i * 32 + j] = parseInt(h.slice(2 * j, 2 * j + 2), 16);
  });
  return hash(raw);
}
