import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CairnError } from './errors.ts';
import {
  conflictedCopyPath,
  isConflictedCopyName,
  isPortableName,
  normalizePath,
  pathKey,
  rebase,
  ancestors,
} from './paths.ts';
import { contentHash, EMPTY_CONTENT_HASH } from './hash.ts';
import { createHash } from 'node:crypto';

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof CairnError ? e.code : 'not-a-cairn-error';
  }
  return undefined;
};

describe('normalizePath', () => {
  it.each([
    ['../etc/passwd', 'path_invalid'],
    ['a/../b', 'path_invalid'],
    ['/abs', 'path_invalid'],
    ['a\\b', 'path_invalid'],
    ['a//b', 'path_invalid'],
    ['a/', 'path_invalid'],
    ['nul\u0000byte', 'path_invalid'],
    ['tab\there', 'path_invalid'],
    ['bad\ud800name', 'path_invalid'],
    ['bad\udc00', 'path_invalid'],
    ['x'.repeat(256), 'name_too_long'],
    [Array(1000).fill('abcd').join('/'), 'path_too_long'],
  ])('refuses %j with %s', (p, code) => {
    expect(codeOf(() => normalizePath(p))).toBe(code);
  });

  it('stores NFC', () => {
    expect(normalizePath('cafe\u0301/x')).toBe('caf\u00e9/x');
  });

  it('accepts Windows-reserved names but flags them non-portable', () => {
    expect(normalizePath('dir/aux.txt')).toBe('dir/aux.txt');
    for (const n of ['CON', 'aux.txt', 'com1', 'trail.', 'trail ', 'a:b', 'q?']) expect(isPortableName(n)).toBe(false);
    for (const n of ['console', 'auxiliary.txt', 'a.b', '.hidden']) expect(isPortableName(n)).toBe(true);
  });

  it('counts name length in UTF-8 bytes, not characters', () => {
    expect(codeOf(() => normalizePath('é'.repeat(128)))).toBe('name_too_long'); // 256 bytes
    expect(normalizePath('é'.repeat(127))).toHaveLength(127);
  });
});

describe('pathKey', () => {
  it('folds case and normalisation', () => {
    expect(pathKey('Docs/Café.TXT')).toBe(pathKey('docs/cafe\u0301.txt'));
    expect(pathKey('a')).not.toBe(pathKey('b'));
  });
});

describe('path helpers', () => {
  it('ancestors and rebase', () => {
    expect(ancestors('a/b/c')).toEqual(['a', 'a/b']);
    expect(ancestors('a')).toEqual([]);
    expect(rebase('a/b/c', 'a/b', 'x')).toBe('x/c');
    expect(rebase('a/b', 'a/b', 'x/y')).toBe('x/y');
  });

  it('conflicted copy names round-trip through the detector', () => {
    const d = new Date(Date.UTC(2026, 10, 21, 23, 59));
    expect(conflictedCopyPath('dir/report.txt', 'laptop', d)).toBe('dir/report (conflicted copy from laptop 2026-11-21).txt');
    expect(conflictedCopyPath('Makefile', 'pc', d, 2)).toBe('Makefile (conflicted copy from pc 2026-11-21 2)');
    expect(conflictedCopyPath('.bashrc', 'pc', d)).toBe('.bashrc (conflicted copy from pc 2026-11-21)');
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9 ._-]{0,20}$/), fc.stringMatching(/^[a-zA-Z0-9-]{1,12}$/), (name, dev) => {
        const copy = conflictedCopyPath(name, dev, d);
        expect(isConflictedCopyName(copy)).toBe(true);
        expect(copy.startsWith(name.includes('.') && name.lastIndexOf('.') > 0 ? name.slice(0, name.lastIndexOf('.')) : name)).toBe(true);
      }),
    );
  });
});

describe('contentHash', () => {
  it('is SHA-256 over the concatenated raw block digests', () => {
    const a = createHash('sha256').update('a').digest();
    const b = createHash('sha256').update('b').digest();
    const expected = createHash('sha256').update(Buffer.concat([a, b])).digest('hex');
    expect(contentHash([a.toString('hex'), b.toString('hex')])).toBe(expected);
    expect(contentHash([])).toBe(EMPTY_CONTENT_HASH);
    expect(() => contentHash(['XYZ'])).toThrow(TypeError);
  });
});
