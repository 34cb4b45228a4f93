/**
 * Device credentials of one home folder. `<home>/device.json` (mode 0600) always holds the
 * server URL, the account and this device; the token is either in the same file (the CLI's
 * and headless mode's default) or, for a device the desktop app linked, kept by the OS
 * keychain through a {@link TokenVault} (Electron's safeStorage) — then device.json says
 * `"token_store": "<vault name>"` and has no token (docs/decisions.md D28).
 *
 * The engine reads and writes credentials only through a {@link CredentialStore}
 * (`EngineOptions.credentials`; default {@link fileCredentialStore}).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CairnError } from '../../src-shared/errors.ts';
import { RemoteClient } from './remote/client.ts';

/** A linked device's credentials. */
export interface Credentials {
  server: string;
  email: string;
  account_id: string;
  device_id: string;
  device_name: string;
  token: string;
  home_ns: string;
}

/** What `device.json` holds: the credentials, with the token moved out when `token_store` is set. */
type DeviceFile = Omit<Credentials, 'token'> & { token?: string; token_store?: string };

/**
 * Where the engine loads and keeps its credentials. `load` runs once when an Engine is made;
 * `save` after signup/login; `clear` at logout.
 */
export interface CredentialStore {
  /**
   * The stored credentials, or null when the device is not linked.
   * @throws CairnError `token_in_keychain` when the token is in a keychain this store cannot read
   */
  load(): Credentials | null;
  save(c: Credentials): void;
  clear(): void;
}

/**
 * A secret box for the token at rest (the desktop app's is Electron's safeStorage, see
 * src-main/shell/token-store.ts). The engine never imports Electron; the shell passes one in.
 */
export interface TokenVault {
  /** Recorded in device.json as `token_store`, e.g. `"safeStorage"`. */
  readonly name: string;
  /** True when the OS can encrypt now (else the token stays in device.json). */
  readonly available: boolean;
  save(token: string): void;
  /** The token, or null when none is stored or it cannot be decrypted. */
  load(): string | null;
  clear(): void;
}

/** Path of the credentials file in `home`. */
export function credentialsFile(home: string): string {
  return path.join(home, 'device.json');
}

function readDeviceFile(home: string): DeviceFile | null {
  let text: string;
  try {
    text = readFileSync(credentialsFile(home), 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as DeviceFile;
  } catch {
    return null;
  }
}

/**
 * Reads the credentials of `home` with the token from device.json (the CLI's way), or null
 * when the device is not linked.
 * @throws CairnError `token_in_keychain` when the desktop app keeps this device's token in the
 *   OS keychain (the message says what to do instead)
 */
export function readCredentials(home: string): Credentials | null {
  const f = readDeviceFile(home);
  if (!f) return null;
  if (typeof f.token === 'string' && f.token !== '') return withToken(f, f.token);
  if (f.token_store) {
    throw new CairnError(
      'token_in_keychain',
      `this device's token is kept in the OS keychain (${f.token_store}) by the Cairn desktop app, which the cairn command cannot read. ` +
        'Start the desktop app: it runs the engine, and cairn status/open/share/link then work through it. ' +
        'Or link this home for the command line with `cairn login` (a new device; revoke the old one in Preferences → Devices).',
    );
  }
  return null;
}

function withToken(f: DeviceFile, token: string): Credentials {
  return {
    server: f.server,
    email: f.email,
    account_id: f.account_id,
    device_id: f.device_id,
    device_name: f.device_name,
    token,
    home_ns: f.home_ns,
  };
}

/** Writes `data` to `file` atomically with mode 0600 (temp file + rename). */
export function writePrivateFile(file: string, data: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Stores credentials (mode 0600). */
export function writeCredentials(home: string, c: Credentials): void {
  writePrivateFile(credentialsFile(home), `${JSON.stringify(c, null, 2)}\n`);
}

/** Removes the credentials of `home`. */
export function removeCredentials(home: string): void {
  rmSync(credentialsFile(home), { force: true });
}

/** Credentials in `<home>/device.json`, token included (mode 0600): the CLI and headless mode. */
export function fileCredentialStore(home: string): CredentialStore {
  return {
    load: () => readCredentials(home),
    save: (c) => writeCredentials(home, c),
    clear: () => removeCredentials(home),
  };
}

/**
 * Credentials whose token is kept by `vault` (the desktop app: Electron's safeStorage).
 * - save: when the vault can encrypt, the token goes to the vault and device.json records
 *   `token_store: vault.name` without it; when it cannot (e.g. Linux without a keyring), the
 *   token stays in device.json (mode 0600) as the CLI keeps it — never in plain text elsewhere.
 * - load: a token in device.json (a home the CLI linked) is used as it is and not moved, so
 *   `cairn start` keeps working on that home; a `token_store` token comes from the vault, and
 *   a vault that cannot give it back (another OS user, a reset keychain) reads as not linked,
 *   so the app shows its first-run screen.
 * - clear: forgets both.
 */
export function vaultCredentialStore(home: string, vault: TokenVault): CredentialStore {
  return {
    load() {
      const f = readDeviceFile(home);
      if (!f) return null;
      if (typeof f.token === 'string' && f.token !== '') return withToken(f, f.token);
      if (f.token_store !== vault.name) return null;
      const token = vault.load();
      return token ? withToken(f, token) : null;
    },
    save(c) {
      if (!vault.available) {
        writeCredentials(home, c);
        vault.clear();
        return;
      }
      // Vault first: a crash between the two writes leaves the old device.json, never one that
      // points at a token the vault does not hold.
      vault.save(c.token);
      const { token: _token, ...rest } = c;
      const f: DeviceFile = { ...rest, token_store: vault.name };
      writePrivateFile(credentialsFile(home), `${JSON.stringify(f, null, 2)}\n`);
    },
    clear() {
      removeCredentials(home);
      vault.clear();
    },
  };
}

/**
 * Signs up or logs in against `server` and keeps the new credentials in `store` (default:
 * `<home>/device.json`).
 * @throws CairnError `email_taken` | `invalid_credentials` | `rate_limited` | `offline` | `bad_request`
 */
export async function link(
  home: string,
  input: { mode: 'signup' | 'login'; server: string; email: string; password: string; device_name?: string },
  store: CredentialStore = fileCredentialStore(home),
): Promise<Credentials> {
  let url: URL;
  try {
    url = new URL(input.server);
  } catch {
    throw new CairnError('bad_request', `not a server URL: ${input.server}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CairnError('bad_request', 'server URL must be http(s)');
  const server = url.origin + url.pathname.replace(/\/+$/u, '');
  const device_name = input.device_name ?? os.hostname();
  const client = new RemoteClient({ server });
  try {
    const body = { email: input.email, password: input.password, device_name };
    const r = input.mode === 'signup' ? await client.call('signup', { body }) : await client.call('login', { body });
    const c: Credentials = {
      server,
      email: input.email,
      account_id: r.account_id,
      device_id: r.device_id,
      device_name,
      token: r.token,
      home_ns: r.home_ns,
    };
    store.save(c);
    return c;
  } finally {
    await client.close();
  }
}
