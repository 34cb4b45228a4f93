/**
 * Journal cursors of protocol v1.
 *
 * A cursor says "seen up to seq N in each namespace". On the wire it is opaque to clients
 * except for one operation: after a reset, the client snapshots a namespace and continues
 * from the snapshot's `seq`, so it must be able to set one namespace's position
 * ({@link cursorWithSeq}). Encoding: base64url of JSON `{ "v": 1, "ns": { "<ns id>": seq } }`.
 *
 * May import: nothing of ours but errors.ts.
 */
import { CairnError } from '../errors.ts';

/** Decoded cursor: journal position per namespace id (0 = before the first record). */
export interface CursorState {
  ns: Record<string, number>;
}

const MAX_CURSOR_CHARS = 8192;
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/u;

/** Encodes a cursor (see the module doc for the format). */
export function encodeCursor(state: CursorState): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify({ v: 1, ns: state.ns })));
}

// Browser-safe base64url (the renderer imports src-shared too, so no Buffer).
function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/gu, '-').replace(/\//gu, '_').replace(/=+$/u, '');
}

function fromBase64Url(s: string): string {
  const bin = atob(s.replace(/-/gu, '+').replace(/_/gu, '/'));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/**
 * Decodes a cursor string.
 * @throws CairnError `cursor_invalid` when it is not a well-formed v1 cursor.
 */
export function decodeCursor(cursor: string): CursorState {
  const bad = (why: string) => new CairnError('cursor_invalid', `malformed cursor: ${why}`);
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS) {
    throw bad('length');
  }
  if (!/^[A-Za-z0-9_-]+$/u.test(cursor)) throw bad('not base64url');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBase64Url(cursor));
  } catch {
    throw bad('not JSON');
  }
  const obj = parsed as { v?: unknown; ns?: unknown };
  if (!obj || typeof obj !== 'object' || obj.v !== 1 || !obj.ns || typeof obj.ns !== 'object' || Array.isArray(obj.ns)) {
    throw bad('shape');
  }
  const ns: Record<string, number> = {};
  for (const [id, seq] of Object.entries(obj.ns as Record<string, unknown>)) {
    if (!ID_RE.test(id) || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw bad('entry');
    ns[id] = seq;
  }
  return { ns };
}

/** Returns `cursor` with namespace `ns` set to `seq` (e.g. a snapshot's seq after a reset). */
export function cursorWithSeq(cursor: string, ns: string, seq: number): string {
  const state = decodeCursor(cursor);
  return encodeCursor({ ns: { ...state.ns, [ns]: seq } });
}
