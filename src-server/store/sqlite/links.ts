/**
 * Public links in the SQLite store. A link points at an entry id (so it follows moves,
 * renames and the entry's move into or out of a shared namespace) and keeps only the SHA-256
 * of its token and an scrypt hash of its optional password. A link resolves while it is not
 * revoked or expired, its entry is live, and its creator can still edit the namespace the
 * entry lives in (a removed editor's links die with their access; docs/decisions.md).
 */
import { CairnError, normalizePath, pathKey, type Link } from '../../../src-shared/index.ts';
import type { Actor, LinkTarget, ResolvedLink } from '../metadata.ts';
import { ENTRY_SELECT, subtreeRange, toEntry, type EntryRow } from './rows.ts';
import type { Sql } from './sql.ts';
import { TreeOps } from './tree.ts';

interface LinkRow {
  id: string;
  token_hash: string;
  entry_id: string;
  creator_account: string;
  created_at: number;
  expires_at: number | null;
  password_hash: string | null;
  revoked_at: number | null;
}

const EDIT_ROLES = new Set(['owner', 'editor']);

/** Link operations over one connection. */
export class LinkOps {
  readonly #sql: Sql;
  readonly #tree: TreeOps;
  constructor(sql: Sql, tree: TreeOps) {
    this.#sql = sql;
    this.#tree = tree;
  }

  #role(accountId: string, ns: string): string | undefined {
    return this.#sql.get<{ role: string }>('SELECT role FROM namespace_members WHERE ns = ? AND account_id = ?', ns, accountId)?.role;
  }

  #entry(id: string): EntryRow | undefined {
    return this.#sql.get<EntryRow>(`${ENTRY_SELECT} WHERE e.id = ? AND e.deleted = 0`, id);
  }

  #toLink(r: LinkRow, now: number): Link {
    const e = this.#entry(r.entry_id);
    return {
      id: r.id,
      ns: e ? (e.mount_ns ?? e.ns) : null,
      path: e ? (e.mount_ns ? '' : e.path) : null,
      kind: e ? e.kind : null,
      created_at: r.created_at,
      expires_at: r.expires_at,
      has_password: r.password_hash !== null,
      expired: r.expires_at !== null && r.expires_at <= now,
    };
  }

  /** See MetadataStore.createLink. */
  create(actor: Actor, ns: string, rawPath: string, l: { id: string; tokenHash: string; expiresAt: number | null; passwordHash: string | null }): Link {
    const path = TreeOps.nonRoot(rawPath, 'a link');
    const e = this.#tree.liveByKey(ns, pathKey(normalizePath(path)));
    if (!e) throw new CairnError('not_found');
    // A mount point links the whole shared folder: that needs edit rights there, not in the home.
    if (e.mount_ns && !EDIT_ROLES.has(this.#role(actor.accountId, e.mount_ns) ?? '')) throw new CairnError('forbidden');
    if (l.expiresAt !== null && l.expiresAt <= actor.now) throw new CairnError('bad_request', 'expires_at is in the past');
    this.#sql.run(
      `INSERT INTO links (id, token_hash, entry_id, creator_account, created_at, expires_at, password_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      l.id,
      l.tokenHash,
      e.id,
      actor.accountId,
      actor.now,
      l.expiresAt,
      l.passwordHash,
    );
    return this.#toLink(this.#sql.get<LinkRow>('SELECT * FROM links WHERE id = ?', l.id)!, actor.now);
  }

  /** See MetadataStore.listLinks. */
  list(accountId: string, now: number): Link[] {
    return this.#sql
      .all<LinkRow>('SELECT * FROM links WHERE creator_account = ? AND revoked_at IS NULL ORDER BY created_at DESC, id', accountId)
      .map((r) => this.#toLink(r, now));
  }

  /** See MetadataStore.revokeLink. @throws `not_found` */
  revoke(accountId: string, id: string, now: number): void {
    const r = this.#sql.get<LinkRow>('SELECT * FROM links WHERE id = ? AND revoked_at IS NULL', id);
    const e = r ? this.#entry(r.entry_id) : undefined;
    const ownsNs = e !== undefined && this.#role(accountId, e.ns) === 'owner' && !this.#isHomeOfOther(e.ns, accountId);
    if (!r || (r.creator_account !== accountId && !ownsNs)) throw new CairnError('not_found', 'no such link');
    this.#sql.run('UPDATE links SET revoked_at = ? WHERE id = ?', now, id);
  }

  #isHomeOfOther(ns: string, accountId: string): boolean {
    return this.#sql.get('SELECT 1 FROM accounts WHERE home_ns = ? AND id != ?', ns, accountId) !== undefined;
  }

  /** See MetadataStore.resolveLink. */
  resolve(tokenHash: string, now: number): ResolvedLink {
    const r = this.#sql.get<LinkRow>('SELECT * FROM links WHERE token_hash = ?', tokenHash);
    if (!r) return { status: 'not_found' };
    if (r.revoked_at !== null) return { status: 'revoked' };
    if (r.expires_at !== null && r.expires_at <= now) return { status: 'expired' };
    const e = this.#entry(r.entry_id);
    if (!e) return { status: 'not_found' };
    const target: LinkTarget = e.mount_ns
      ? { ns: e.mount_ns, path: '', name: e.name, kind: 'folder', entry: toEntry(e) }
      : { ns: e.ns, path: e.path, name: e.name, kind: e.kind, entry: toEntry(e) };
    if (!EDIT_ROLES.has(this.#role(r.creator_account, target.ns) ?? '')) return { status: 'not_found' };
    return { status: 'ok', id: r.id, passwordHash: r.password_hash, target };
  }

  /** See MetadataStore.linkFiles: live entries strictly inside `path` of `ns`, by path. */
  files(ns: string, path: string, limit: number): EntryRow[] {
    const [lo, hi] = subtreeRange(pathKey(path));
    return this.#sql.all<EntryRow>(
      `${ENTRY_SELECT} WHERE e.ns = ? AND e.deleted = 0 AND e.path_key >= ? AND e.path_key < ? ORDER BY e.path LIMIT ?`,
      ns,
      lo,
      hi,
      limit,
    );
  }
}
