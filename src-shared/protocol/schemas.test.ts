import { describe, expect, it } from 'vitest';
import { Compile } from 'typebox/compile';
import { routes } from './routes.ts';

describe('auth body schema', () => {
  const check = Compile(routes.signup.body);
  const ok = { email: 'a@example.com', password: 'password123', device_name: 'laptop' };

  it('accepts ordinary names, including non-ASCII ones', () => {
    expect(check.Check(ok)).toBe(true);
    expect(check.Check({ ...ok, device_name: 'Zoë’s MacBook (Cc)' })).toBe(true);
  });

  it.each([
    ['newline', 'evil\nname'],
    ['escape', 'evil\u001b[31m'],
    ['NUL', 'a\u0000b'],
    ['C1 control', 'a\u0085b'],
    ['lone surrogate', 'a\ud800'],
    ['empty', ''],
  ])('refuses a device name with %s', (_what, device_name) => {
    expect(check.Check({ ...ok, device_name })).toBe(false);
  });

  it('refuses emails with control characters', () => {
    expect(check.Check({ ...ok, email: 'a\u0000@example.com' })).toBe(false);
  });
});
