import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TokenStore, type SafeStorageLike } from './token-store.ts';

// A reversible stand-in for the OS keychain: good enough to check the token never lands in plain text.
const fakeSafe = (available = true): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  encryptString: (s) => Buffer.from(Buffer.from(s, 'utf8').map((b) => b ^ 0x5a)),
  decryptString: (b) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
});

const made: string[] = [];
const tempHome = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-token-'));
  made.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('TokenStore', () => {
  it('stores the token encrypted, mode 0600, and loads it back', async () => {
    const home = await tempHome();
    const s = new TokenStore(home, fakeSafe());
    expect(s.load()).toBeNull();
    s.save('tok_secret_123');
    const raw = await readFile(path.join(home, 'device-token.enc'));
    expect(raw.toString('utf8')).not.toContain('tok_secret_123');
    expect((await stat(path.join(home, 'device-token.enc'))).mode & 0o777).toBe(0o600);
    expect(s.load()).toBe('tok_secret_123');
    s.clear();
    expect(s.load()).toBeNull();
  });

  it('refuses to store without OS encryption', async () => {
    const home = await tempHome();
    const s = new TokenStore(home, fakeSafe(false));
    expect(s.available).toBe(false);
    expect(() => s.save('x')).toThrow(expect.objectContaining({ code: 'unavailable' }));
  });
});
