import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { credentialsFile, readCredentials, vaultCredentialStore } from '../engine/account.ts';
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

  it('treats Linux basic_text (a fixed key, plain text in effect) as no encryption', async () => {
    const home = await tempHome();
    const s = new TokenStore(home, { ...fakeSafe(), getSelectedStorageBackend: () => 'basic_text' });
    expect(s.available).toBe(false);
    expect(() => s.save('x')).toThrow(expect.objectContaining({ code: 'unavailable' }));
    expect(
      new TokenStore(home, { ...fakeSafe(), getSelectedStorageBackend: () => 'gnome_libsecret' }).available,
    ).toBe(true);
  });

  it("is the engine's token vault: device.json names safeStorage and holds no token; the CLI is told why", async () => {
    const home = await tempHome();
    const creds = {
      server: 'http://127.0.0.1:1',
      email: 'a@example.com',
      account_id: 'a1',
      device_id: 'd1',
      device_name: 'laptop',
      token: 'tok_secret_456',
      home_ns: 'n1',
    };
    const store = vaultCredentialStore(home, new TokenStore(home, fakeSafe()));
    store.save(creds);
    const json = await readFile(credentialsFile(home), 'utf8');
    expect(json).not.toContain('tok_secret_456');
    expect(JSON.parse(json).token_store).toBe('safeStorage');
    expect((await readFile(path.join(home, 'device-token.enc'))).toString('utf8')).not.toContain(
      'tok_secret_456',
    );
    // A new app start (new store over the same home and keychain) gets the same credentials.
    expect(vaultCredentialStore(home, new TokenStore(home, fakeSafe())).load()).toEqual(creds);
    expect(() => readCredentials(home)).toThrow(expect.objectContaining({ code: 'token_in_keychain' }));
    // Without OS encryption the app keeps the token as the CLI does, readable by `cairn`.
    const plainHome = await tempHome();
    vaultCredentialStore(plainHome, new TokenStore(plainHome, fakeSafe(false))).save(creds);
    expect(readCredentials(plainHome)).toEqual(creds);
  });
});
