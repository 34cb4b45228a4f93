import { describe, expect, it } from 'vitest';
import {
  baseName,
  describeAction,
  formatBytes,
  formatDateTime,
  formatEta,
  formatKbps,
  MAX_LIMIT_KBPS,
  parseKbps,
  formatWhen,
  localPath,
  parentPath,
} from './format.ts';

describe('format', () => {
  it('formats sizes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
    expect(formatBytes(-1)).toBe('—');
  });
  it('formats ETAs', () => {
    expect(formatEta(null)).toBeNull();
    expect(formatEta(2000)).toBe('a few seconds');
    expect(formatEta(30_000)).toBe('30 s');
    expect(formatEta(5 * 60_000)).toBe('about 5 min');
    expect(formatEta(125 * 60_000)).toBe('about 2 h 5 min');
  });
  it('formats times relative to now', () => {
    const now = 1_000_000_000_000;
    expect(formatWhen(now - 1000, now)).toBe('just now');
    expect(formatWhen(now - 10 * 60_000, now)).toBe('10 min ago');
    expect(formatWhen(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatWhen(now - 3 * 86_400_000, now)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(formatDateTime(now, true)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });
  it('names actions and paths', () => {
    expect(describeAction('uploaded')).toBe('Uploaded');
    expect(describeAction('some_new_thing')).toBe('Some new thing');
    expect(baseName('a/b/c.txt')).toBe('c.txt');
    expect(baseName('')).toBe('Cairn');
    expect(parentPath('a/b/c')).toBe('a/b');
    expect(parentPath('c')).toBe('');
    expect(localPath('/home/u/Cairn/', 'a/b.txt')).toBe('/home/u/Cairn/a/b.txt');
    expect(localPath('C:\\Users\\u\\Cairn', 'a/b.txt')).toBe('C:\\Users\\u\\Cairn\\a\\b.txt');
  });
});

describe('bandwidth limits in KB/s', () => {
  it('formats bytes/s as KB/s, 0 for no limit, without rounding a limit away', () => {
    expect(formatKbps(0)).toBe('0');
    expect(formatKbps(262_144)).toBe('256');
    expect(formatKbps(1536)).toBe('1.5');
    expect(formatKbps(1000)).toBe('0.98');
  });

  it('parses what the user typed into bytes/s', () => {
    expect(parseKbps('256')).toEqual({ ok: true, bps: 262_144 });
    expect(parseKbps(' 0 ')).toEqual({ ok: true, bps: 0 });
    expect(parseKbps('1.5')).toEqual({ ok: true, bps: 1536 });
    expect(parseKbps('1,5')).toEqual({ ok: true, bps: 1536 });
    for (const text of ['256', '1.5', '0', '0.98']) {
      const parsed = parseKbps(text);
      expect(parsed.ok && formatKbps(parsed.bps)).toBe(text); // round trip
    }
  });

  it('refuses invalid input with a sentence instead of turning it into 0 (= no limit)', () => {
    for (const text of ['', '   ', 'abc', '-5', '1e3', '12kb', '1.', '.5', String(MAX_LIMIT_KBPS + 1)]) {
      const parsed = parseKbps(text);
      expect(parsed.ok, text).toBe(false);
      expect(!parsed.ok && parsed.error, text).toMatch(/KB\/s/);
    }
  });
});
