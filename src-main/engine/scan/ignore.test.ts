import { describe, expect, it } from 'vitest';
import { IgnoreRules, isLitter } from './ignore.ts';

describe('IgnoreRules', () => {
  it('ignores OS litter, editor temp files and the engine temp files by default', () => {
    const r = new IgnoreRules();
    for (const p of ['.DS_Store', 'a/Thumbs.db', 'desktop.ini', '~$report.docx', 'x.tmp', 'a/.x.swp', 'notes~', '.cairn-tmp-123']) {
      expect(r.isIgnored(p), p).toBe(true);
    }
    for (const p of ['report.docx', 'a/b.txt', '.cairnignore', 'tmp/x']) expect(r.isIgnored(p), p).toBe(false);
  });
  it('adds .cairnignore rules (gitignore syntax, folders and negation)', () => {
    const r = new IgnoreRules('build/\n*.log\n!keep.log\n');
    expect(r.isIgnored('build', true)).toBe(true);
    expect(r.isIgnored('build/out.js')).toBe(true);
    expect(r.isIgnored('a/x.log')).toBe(true);
    expect(r.isIgnored('keep.log')).toBe(false);
    expect(r.isIgnored('build')).toBe(false); // a file named build is not the folder rule
  });
  it('tells built-in OS litter (deleted with a folder deleted elsewhere) from other ignored names', () => {
    for (const n of ['.DS_Store', '._photo.jpg', 'Thumbs.db', 'ehthumbs.db', 'desktop.ini']) expect(isLitter(n), n).toBe(true);
    for (const n of ['secret.env', 'x.tmp', '~$report.docx', '.cairn-tmp-1', 'a/.DS_Store', '']) expect(isLitter(n), n).toBe(false);
  });
});
