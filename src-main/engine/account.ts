/**
 * Device credentials of one home folder: `<home>/device.json` (mode 0600) with the server
 * URL, the account, this device and its token. The Electron shell may later keep the token
 * with safeStorage instead; the CLI and headless mode use this file.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CairnError } from '../../src-shared/errors.ts';
import { RemoteClient } from './remote/client.ts';

/** Contents of `device.json`. */
export interface Credentials {
  server: string;
  email: string;
  account_id: string;
  device_id: string;
  device_name: string;
  token: string;
  home_ns: string;
}

/** Path of the credentials file in `home`. */
export function credentialsFile(home: string): string {
  return path.join(home, 'device.json');
}

/** Reads the credentials of `home`, or null when the device is not linked. */
export function readCredentials(home: string): Credentials | null {
  try {
    return JSON.parse(readFileSync(credentialsFile(home), 'utf8')) as Credentials;
  } catch {
    return null;
  }
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

/**
 * Signs up or logs in against `server` and stores the new device token in `home`.
 * @throws CairnError `email_taken` | `invalid_credentials` | `rate_limited` | `offline` | `bad_request`
 */
export async function link(
  home: string,
  input: { mode: 'signup' | 'login'; server: string; email: string; password: string; device_name?: string },
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
    writeCredentials(home, c);
    return c;
  } finally {
    await client.close();
  }
}
