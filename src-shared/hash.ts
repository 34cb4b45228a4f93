/**
 * Content identity in protocol v1.
 *
 * - A **block hash** is the lowercase hex SHA-256 (FIPS 180-4) of the block's raw bytes.
 * - A file's **content hash** is the lowercase hex SHA-256 of the concatenation of its
 *   blocks' raw 32-byte digests, in order. The empty file has no blocks, so its content hash
 *   is SHA-256 of the empty string.
 *
 * Uses @noble/hashes so this module runs anywhere (renderer included); it hashes only
 * 32 bytes per block, so it is never on a bulk path (bulk hashing uses node:crypto).
 *
 * May import: nothing of ours.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/** Pattern of a block hash / content hash: 64 lowercase hex digits. */
export const HASH_PATTERN = /^[0-9a-f]{64}$/u;

/** SHA-256 of zero bytes: the content hash of an empty file. */
export const EMPTY_CONTENT_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** True when `s` is a well-formed block or content hash. */
export function isHash(s: unknown): s is string {
  return typeof s === 'string' && HASH_PATTERN.test(s);
}

/**
 * Content hash of a file from its ordered block hashes (hex). O(n) in the block count.
 * @throws TypeError when a block hash is not 64 lowercase hex digits.
 */
export function contentHash(blockHashes: readonly string[]): string {
  const buf = new Uint8Array(blockHashes.length * 32);
  blockHashes.forEach((h, i) => {
    if (!isHash(h)) throw new TypeError(`not a block hash: ${String(h)}`);
    buf.set(hexToBytes(h), i * 32);
  });
  return bytesToHex(sha256(buf));
}
