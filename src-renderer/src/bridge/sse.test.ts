import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.ts';

describe('SseParser', () => {
  it('dispatches a message on a blank line', () => {
    const p = new SseParser();
    expect(p.push('data: {"a":1}\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'message', data: '{"a":1}' }]);
  });

  it('handles chunks split anywhere, CRLF, comments and event names', () => {
    const text = ': keep-alive\r\nevent: status\r\ndata: x\r\ndata: y\r\n\r\ndata: z\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const p = new SseParser();
      const got = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(got).toEqual([
        { event: 'status', data: 'x\ny' },
        { event: 'message', data: 'z' },
      ]);
    }
  });

  it('ignores blank lines with no data', () => {
    const p = new SseParser();
    expect(p.push('\n\n:c\n\n')).toEqual([]);
  });
});
