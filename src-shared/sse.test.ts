import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.ts';

describe('SseParser', () => {
  it('dispatches a message on a blank line, not before', () => {
    const p = new SseParser();
    expect(p.push('data: {"a":1}\n')).toEqual([]);
    expect(p.push('\n')).toEqual(['{"a":1}']);
  });

  it('joins data lines, skips comments and other fields, with chunks split anywhere (CRLF too)', () => {
    const text =
      ': keep-alive\r\nevent: status\r\nid: 7\r\ndata: x\r\ndata:y\r\n\r\ndata: z\n\n: ping\n\ndata\rdata: last\r\r\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const p = new SseParser();
      const got = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(got, `cut at ${cut}`).toEqual(['x\ny', 'z', '\nlast']);
    }
  });

  it('keeps an unfinished message until its blank line arrives', () => {
    const p = new SseParser();
    expect(p.push('data: part')).toEqual([]);
    expect(p.push('ial\r')).toEqual([]); // a trailing CR may be half of CRLF
    expect(p.push('\n\r\n')).toEqual(['partial']);
  });

  it('ignores blank lines with no data', () => {
    expect(new SseParser().push('\n\n:c\n\n\r\n')).toEqual([]);
  });
});
