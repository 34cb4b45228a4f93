/**
 * The device token at rest, encrypted with Electron's `safeStorage` (Keychain on macOS,
 * DPAPI on Windows, libsecret/kwallet on Linux). When the OS offers no real encryption — none
 * at all, or Linux's `basic_text` backend, which "encrypts" with a fixed password — the token
 * is not written here: `available` is false, `save` refuses with `unavailable`, and the
 * engine's credential store keeps it in device.json (mode 0600) as the CLI does.
 *
 * A TokenStore is the engine's `TokenVault` (src-main/engine/account.ts, matched by shape:
 * the shell does not import the engine); wiring.ts joins the two.
 */
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../src-shared/errors.ts';

/** The part of Electron's safeStorage used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only (Electron): `basic_text`, `gnome_libsecret`, `kwallet`… */
  getSelectedStorageBackend?(): string;
}

/** Encrypted token file (`<home>/device-token.enc`). */
export class TokenStore {
  private readonly file: string;
  private readonly safe: SafeStorageLike;

  constructor(home: string, safe: SafeStorageLike) {
    this.file = path.join(home, 'device-token.enc');
    this.safe = safe;
  }

  /** Recorded in device.json as `token_store`. */
  readonly name = 'safeStorage';

  /** True when the OS can really encrypt (else {@link save} refuses). */
  get available(): boolean {
    if (!this.safe.isEncryptionAvailable()) return false;
    // Linux without a keyring: Chromium falls back to a hard-coded key, which is plain text in effect.
    return this.safe.getSelectedStorageBackend?.() !== 'basic_text';
  }

  /** Encrypts and writes the token. @throws CairnError `unavailable` without OS encryption. */
  save(token: string): void {
    if (!this.available) throw new CairnError('unavailable', 'OS encryption (safeStorage) is not available');
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    writeFileSync(this.file, this.safe.encryptString(token), { mode: 0o600 });
  }

  /** The stored token, or null when none is stored or it cannot be decrypted (e.g. another OS user). */
  load(): string | null {
    if (!existsSync(this.file) || !this.safe.isEncryptionAvailable()) return null;
    try {
      return this.safe.decryptString(readFileSync(this.file));
    } catch {
      return null;
    }
  }

  /** Forgets the token (logout). */
  clear(): void {
    rmSync(this.file, { force: true });
  }
}
