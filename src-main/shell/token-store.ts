/**
 * The device token at rest, encrypted with Electron's `safeStorage` (Keychain on macOS,
 * DPAPI on Windows, libsecret/kwallet on Linux). When the OS offers no encryption the token
 * is not written in plain text here: `save` refuses with `unavailable` and the caller keeps
 * the engine's own file-based storage (mode 0600) as before.
 */
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../src-shared/errors.ts';

/** The part of Electron's safeStorage used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** Encrypted token file (`<home>/device-token.enc`). */
export class TokenStore {
  private readonly file: string;
  private readonly safe: SafeStorageLike;

  constructor(home: string, safe: SafeStorageLike) {
    this.file = path.join(home, 'device-token.enc');
    this.safe = safe;
  }

  /** True when the OS can encrypt (else {@link save} refuses). */
  get available(): boolean {
    return this.safe.isEncryptionAvailable();
  }

  /** Encrypts and writes the token. @throws CairnError `unavailable` without OS encryption. */
  save(token: string): void {
    if (!this.safe.isEncryptionAvailable())
      throw new CairnError('unavailable', 'OS encryption (safeStorage) is not available');
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
