// Ids a user types as CLI arguments never start with `-` (D43): 1 in 64 base64url strings do,
// so these draws would all but surely catch a generator that lets one through
// (P(no leading '-' in 8,000 unfiltered draws) = (63/64)^8000 ≈ 4e-55).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src-server/store/sqlite/rows.ts';
import { linkIdOf } from '../../src-main/engine/sharing.ts';
import { LINK_TOKEN_RE, linkTokenDigest, newLinkToken } from '../../src-server/auth/link-token.ts';

const ID_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]{15}$/u;

describe('ids typed on a command line', () => {
  it('newId: 16 base64url chars, never a leading "-", all distinct', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 8000; i++) {
      const id = newId();
      expect(id).toMatch(ID_RE);
      seen.add(id);
    }
    expect(seen.size).toBe(8000);
  });

  it('newLinkToken: the id never starts with "-" and is still what a client derives from the token', () => {
    for (let i = 0; i < 8000; i++) {
      const l = newLinkToken();
      expect(l.token).toMatch(LINK_TOKEN_RE);
      expect(l.id).toMatch(ID_RE);
      expect(l.hash).toBe(createHash('sha256').update(l.token).digest('hex'));
      expect(linkTokenDigest(l.token)).toEqual({ hash: l.hash, id: l.id });
      expect(linkIdOf(`http://127.0.0.1/s/${l.token}`)).toBe(l.id);
    }
  });
});
