import { describe, expect, it } from 'vitest';
import { cursorWithSeq, decodeCursor, encodeCursor } from './cursor.ts';

describe('cursor', () => {
  it('round-trips and sets one namespace', () => {
    const c = encodeCursor({ ns: { abc: 3, 'x_y-Z': 0 } });
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/u);
    expect(decodeCursor(c)).toEqual({ ns: { abc: 3, 'x_y-Z': 0 } });
    expect(decodeCursor(cursorWithSeq(c, 'abc', 9))).toEqual({ ns: { abc: 9, 'x_y-Z': 0 } });
  });
  it.each([
    '',
    'not base64!',
    'x'.repeat(9000),
    btoa('{"v":2,"ns":{}}').replace(/=+$/u, ''),
    btoa('{"v":1,"ns":{"a":1.5}}').replace(/=+$/u, ''),
    btoa('{"v":1,"ns":{"bad id":1}}').replace(/=+$/u, ''),
    btoa('[1]').replace(/=+$/u, ''),
  ])('refuses %j with cursor_invalid', (c) => {
    expect(() => decodeCursor(c)).toThrow(expect.objectContaining({ code: 'cursor_invalid' }));
  });
});
