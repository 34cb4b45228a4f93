import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.ts';
import { bearerToken, hashToken, newToken } from './token.ts';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one; salts differ', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toBe(b);
    expect(a.startsWith('scrypt$')).toBe(true);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct hors', a)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });
});

describe('tokens', () => {
  it('are 256-bit, prefixed, and stored as SHA-256 hex', () => {
    const t = newToken();
    expect(t.token).toMatch(/^cairn_[A-Za-z0-9_-]{43}$/u);
    expect(t.hash).toBe(hashToken(t.token));
    expect(t.hash).toMatch(/^[0-9a-f]{64}$/u);
    expect(bearerToken(`Bearer ${t.token}`)).toBe(t.token);
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
