// Credential stores: device.json with the token (CLI), and a vault-kept token (the desktop
// app's safeStorage) with device.json naming the vault — and what the CLI says about the latter.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  credentialsFile,
  fileCredentialStore,
  readCredentials,
  vaultCredentialStore,
  type Credentials,
  type TokenVault,
} from './account.ts';

const creds: Credentials = {
  server: 'http://127.0.0.1:1',
  email: 'a@example.com',
  account_id: 'acc1',
  device_id: 'dev1',
  device_name: 'laptop',
  token: 'cairn_t_secret_token_value',
  home_ns: 'ns1',
};

/** An in-memory vault; `available` can be switched off like a Linux session without a keyring. */
function memVault(available = true): TokenVault & { stored: string | null } {
  return {
    name: 'safeStorage',
    available,
    stored: null,
    save(t) {
      this.stored = t;
    },
    load() {
      return this.stored;
    },
    clear() {
      this.stored = null;
    },
  };
}

const made: string[] = [];
async function home(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'cairn-acct-'));
  made.push(d);
  return d;
}
afterEach(async () => {
  for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('fileCredentialStore', () => {
  it('keeps the token in device.json with mode 0600, and forgets it', async () => {
    const h = await home();
    const s = fileCredentialStore(h);
    expect(s.load()).toBeNull();
    s.save(creds);
    expect(s.load()).toEqual(creds);
    expect((await stat(credentialsFile(h))).mode & 0o777).toBe(0o600);
    s.clear();
    expect(s.load()).toBeNull();
  });

  it('reads an unparsable device.json as not linked', async () => {
    const h = await home();
    await writeFile(credentialsFile(h), '{not json');
    expect(readCredentials(h)).toBeNull();
  });
});

describe('vaultCredentialStore', () => {
  it('puts the token in the vault and names the vault in device.json, never the token', async () => {
    const h = await home();
    const v = memVault();
    const s = vaultCredentialStore(h, v);
    s.save(creds);
    expect(v.stored).toBe(creds.token);
    const text = await readFile(credentialsFile(h), 'utf8');
    expect(text).not.toContain(creds.token);
    expect(JSON.parse(text)).toMatchObject({ token_store: 'safeStorage', device_id: 'dev1', server: creds.server });
    expect(s.load()).toEqual(creds);
    s.clear();
    expect(v.stored).toBeNull();
    expect(s.load()).toBeNull();
  });

  it('the CLI refuses a vault-kept token with token_in_keychain and says what to do', async () => {
    const h = await home();
    vaultCredentialStore(h, memVault()).save(creds);
    let err: unknown;
    try {
      readCredentials(h);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'token_in_keychain' });
    expect((err as Error).message).toContain('Start the desktop app');
    expect((err as Error).message).toContain('cairn login');
    expect(() => fileCredentialStore(h).load()).toThrow(expect.objectContaining({ code: 'token_in_keychain' }));
  });

  it('without OS encryption keeps the token in device.json as the CLI does (mode 0600)', async () => {
    const h = await home();
    const v = memVault(false);
    v.stored = 'stale';
    vaultCredentialStore(h, v).save(creds);
    expect(v.stored).toBeNull();
    expect(readCredentials(h)).toEqual(creds);
    expect((await stat(credentialsFile(h))).mode & 0o777).toBe(0o600);
  });

  it('uses a token the CLI left in device.json as it is (cairn start keeps working on that home)', async () => {
    const h = await home();
    fileCredentialStore(h).save(creds);
    const v = memVault();
    expect(vaultCredentialStore(h, v).load()).toEqual(creds);
    expect(v.stored).toBeNull();
    expect(readCredentials(h)).toEqual(creds);
  });

  it('a vault that cannot give the token back (another OS user, reset keychain) reads as not linked', async () => {
    const h = await home();
    const v = memVault();
    vaultCredentialStore(h, v).save(creds);
    v.stored = null;
    expect(vaultCredentialStore(h, v).load()).toBeNull();
    // Another vault's name is not this vault's token either.
    const other = { ...memVault(), name: 'otherVault', stored: 'x' };
    expect(vaultCredentialStore(h, other).load()).toBeNull();
  });
});
