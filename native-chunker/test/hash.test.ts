import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentHash, hashBlock, hashBlockPortable } from '../src/hash.ts';
import { addon } from '../src/native.ts';

describe('hashing', () => {
  it('hashBlock is FIPS 180-4 SHA-256 (known answers)', () => {
    expect(hashBlock(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(hashBlock(Buffer.from('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
  it('the portable (@noble) path agrees with node:crypto', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => {
        expect(hashBlockPortable(b)).toBe(hashBlock(b));
      }),
    );
  });
  it('contentHash of no blocks is SHA-256 of nothing; order matters', () => {
    const a = hashBlock(Buffer.from('a'));
    const b = hashBlock(Buffer.from('b'));
    expect(contentHash([])).toBe(hashBlock(new Uint8Array()));
    expect(contentHash([a, b])).toBe(
      hashBlock(Buffer.concat([Buffer.from(a, 'hex'), Buffer.from(b, 'hex')])),
    );
    expect(contentHash([a, b])).not.toBe(contentHash([b, a]));
  });
});

describe('addon', () => {
  it('loads whenever it has been built (a build for the wrong ABI would silently fall back)', () => {
    const built = existsSync(new URL('../build/Release/native_chunker.node', import.meta.url));
    if (process.env.CAIRN_CHUNKER !== 'typescript') expect(addon !== null).toBe(built);
  });
});
