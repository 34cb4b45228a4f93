/**
 * Public link tokens: `cairn_l_` + 256 random bits in base64url (the issue asks for ≥128).
 * The server stores only the SHA-256 hex of a token; the link id is the first 16 base64url
 * characters of the same digest, so a client holding a URL can name the link (revoke by URL)
 * without the server ever storing the token.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Shape of a link token (also what `/s/:token` accepts). */
export const LINK_TOKEN_RE = /^cairn_l_[A-Za-z0-9_-]{43}$/u;

/**
 * A fresh link token with its stored hash and its id. A token whose id would start with `-` is
 * redrawn: ids are typed as CLI arguments (`cairn link revoke <id>`), where a leading `-` reads
 * as an option. The id stays a pure function of the token, so clients derive it unchanged.
 */
export function newLinkToken(): { token: string; hash: string; id: string } {
  for (;;) {
    const token = `cairn_l_${randomBytes(32).toString('base64url')}`;
    const d = linkTokenDigest(token);
    if (d.id[0] !== '-') return { token, ...d };
  }
}

/** `hash` = SHA-256 hex of the token (stored); `id` = first 16 base64url chars of the digest. */
export function linkTokenDigest(token: string): { hash: string; id: string } {
  const d = createHash('sha256').update(token).digest();
  return { hash: d.toString('hex'), id: d.toString('base64url').slice(0, 16) };
}
