/**
 * Cross-checks between native-chunker and the protocol definitions in src-shared (the package
 * may not import src-shared, so it duplicates them; these tests keep the copies equal).
 */
import fc from 'fast-check';
import { contentHash, DEFAULT_PARAMS, hashBlock } from 'native-chunker';
import { describe, expect, it } from 'vitest';
import { contentHash as sharedContentHash, EMPTY_CONTENT_HASH } from '../../src-shared/hash.ts';
import { CHUNK_PARAMS_V1, MAX_BLOCK_BYTES } from '../../src-shared/protocol/limits.ts';

describe('native-chunker agrees with protocol v1 (src-shared)', () => {
  it('DEFAULT_PARAMS equal CHUNK_PARAMS_V1 and the max block size', () => {
    expect({ ...DEFAULT_PARAMS }).toEqual({ ...CHUNK_PARAMS_V1 });
    expect(DEFAULT_PARAMS.maxSize).toBe(MAX_BLOCK_BYTES);
  });

  it('contentHash equals src-shared/hash.ts contentHash', () => {
    expect(contentHash([])).toBe(EMPTY_CONTENT_HASH);
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 20 }), (blocks) => {
        const hashes = blocks.map((b) => hashBlock(b));
        expect(contentHash(hashes)).toBe(sharedContentHash(hashes));
      }),
    );
  });

  it('both reject malformed block hashes', () => {
    for (const bad of [
      'ABC',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85G',
      'E'.repeat(64),
    ]) {
      expect(() => contentHash([bad])).toThrow(TypeError);
      expect(() => sharedContentHash([bad])).toThrow(TypeError);
    }
  });
});
