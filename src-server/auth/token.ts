/**
 * Device tokens: `cairn_` + 256 random bits in base64url. The server stores only the
 * SHA-256 hex of a token, so a leaked database does not leak usable tokens.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A fresh device token and its stored hash. */
export function newToken(): { token: string; hash: string } {
  const token = `cairn_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

/** SHA-256 hex of a token (what the devices table holds). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer ([A-Za-z0-9_-]{1,200})$/u.exec(header.trim());
  return m ? m[1]! : null;
}
