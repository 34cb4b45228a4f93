/**
 * SQLite implementation of {@link MetadataStore} (better-sqlite3, synchronous under an async
 * interface). Each mutating method is one transaction; a batch commit is one transaction
 * with a savepoint per item, so it costs one fsync however many files it carries.
 * Journal advances are reported through `onAdvance` only after the transaction committed.
 */
import {
  CairnError,
  decodeCursor,
  encodeCursor,
  normalizePath,
  pathKey,
  type Account,
  type Change,
  type CommitRequest,
  type Device,
  type Entry,
  type Invitation,
  type Link,
  type Mount,
  type Revision,
  type Role,
  type Share,
  type ShareMember,
} from '../../../src-shared/index.ts';
import type {
  AccountSummary,
  Actor,
  AuthContext,
  BatchResult,
  ChangesPage,
  DownloadTarget,
  EntryPage,
  GcReport,
  MetadataStore,
  RefcountReport,
  ResolvedLink,
} from '../metadata.ts';
import { LinkOps } from './links.ts';
import { SharingOps } from './sharing.ts';
import { openDb, type Db } from './db.ts';
import { ENTRY_SELECT, newId, subtreeRange, toEntry, toRevision, type EntryRow, type RevisionRow } from './rows.ts';
import { Sql } from './sql.ts';
import { TreeOps } from './tree.ts';
import { TxQueue } from './txqueue.ts';
import { GcSteps } from './gc-steps.ts';
import { ownedBlockSizes } from './block-refs.ts';
import { checkBatchBudget } from '../commit-shape.ts';

/** How often a device's `last_seen_at` is refreshed at most (ms): avoids a write per request. */
const LAST_SEEN_RESOLUTION_MS = 60_000;

/** Options of {@link SqliteMetadataStore}. */
export interface SqliteStoreOptions {
  /** Called after a transaction committed, once per namespace it advanced, with the new seq. */
  onAdvance?: (ns: string, seq: number) => void;
  /** Hears errors that must not fail a committed write (a throwing `onAdvance`); default: a process warning. */
  onError?: (err: unknown, what: string) => void;
}

/** The embedded metadata store: one SQLite file. */
export class SqliteMetadataStore implements MetadataStore {
  readonly db: Db;
  readonly #sql: Sql;
  readonly #tree: TreeOps;
  readonly #sharing: SharingOps;
  readonly #links: LinkOps;
  readonly #onAdvance: (ns: string, seq: number) => void;
  #pending: Set<string> | null = null;
  readonly #txq: TxQueue;
  readonly #onError: (err: unknown, what: string) => void;

  /** Opens (creating and migrating) the database file. */
  constructor(file: string, opts: SqliteStoreOptions = {}) {
    this.db = openDb(file);
    this.#sql = new Sql(this.db);
    this.#onAdvance = opts.onAdvance ?? (() => {});
    this.#onError = opts.onError ?? ((err, what) => process.emitWarning(`${what}: ${String(err)}`));
    this.#txq = new TxQueue(this.db, (body) => this.#write(body));
    this.#tree = new TreeOps(this.#sql, (ns) => this.#pending?.add(ns));
    this.#sharing = new SharingOps(this.#sql, this.#tree);
    this.#links = new LinkOps(this.#sql, this.#tree);
  }

  /**
   * Runs `fn` in a transaction (a savepoint when nested) and reports advanced namespaces
   * once the outermost transaction committed. Seqs are re-read after commit because a
   * rolled-back savepoint may have consumed (and returned) some.
   */
  #write<T>(fn: () => T): T {
    const outer = this.#pending === null;
    if (outer) this.#pending = new Set();
    let advanced: Set<string> | null = null;
    try {
      const result = this.db.transaction(fn)();
      if (outer) advanced = this.#pending;
      return result;
    } finally {
      if (outer) {
        this.#pending = null;
        if (advanced) {
          for (const ns of advanced) {
            const row = this.#sql.get<{ seq: number }>('SELECT seq FROM namespaces WHERE id = ?', ns);
            // The transaction is committed: a failing listener must not turn it into an error.
            try {
              if (row) this.#onAdvance(ns, row.seq);
            } catch (err) {
              this.#onError(err, 'advance listener failed');
            }
          }
        }
      }
    }
  }

  /** Queues a write for the next group commit (see txqueue.ts). */
  #enqueue<T>(fn: () => T, durable = true): Promise<T> {
    return this.#txq.enqueue(fn, durable);
  }

  // ---- accounts and devices -------------------------------------------------------------

  async createAccount(a: {
    email: string;
    passwordHash: string;
    quotaBytes: number;
    device: { name: string; tokenHash: string } | null;
    now: number;
  }): Promise<{ accountId: string; deviceId: string | null; homeNs: string }> {
    const email = a.email.toLowerCase();
    return this.#write(() => {
      if (this.#sql.get('SELECT 1 FROM accounts WHERE email = ?', email)) throw new CairnError('email_taken');
      const accountId = newId();
      const homeNs = newId();
      this.#sql.run(
        'INSERT INTO accounts (id, email, password_hash, home_ns, quota_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        accountId,
        email,
        a.passwordHash,
        homeNs,
        a.quotaBytes,
        a.now,
      );
      this.#sql.run('INSERT INTO namespaces (id, owner_account, created_at) VALUES (?, ?, ?)', homeNs, accountId, a.now);
      this.#sql.run(
        "INSERT INTO namespace_members (ns, account_id, role, mount_path) VALUES (?, ?, 'owner', '')",
        homeNs,
        accountId,
      );
      let deviceId: string | null = null;
      if (a.device) deviceId = this.#insertDevice(accountId, a.device.name, a.device.tokenHash, a.now);
      return { accountId, deviceId, homeNs };
    });
  }

  #insertDevice(accountId: string, name: string, tokenHash: string, now: number): string {
    const id = newId();
    this.#sql.run(
      'INSERT INTO devices (id, account_id, name, token_hash, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)',
      id,
      accountId,
      name,
      tokenHash,
      now,
      now,
    );
    return id;
  }

  async findAccountByEmail(email: string): Promise<{ accountId: string; passwordHash: string; homeNs: string } | null> {
    const row = this.#sql.get<{ id: string; password_hash: string; home_ns: string }>(
      'SELECT id, password_hash, home_ns FROM accounts WHERE email = ?',
      email.toLowerCase(),
    );
    return row ? { accountId: row.id, passwordHash: row.password_hash, homeNs: row.home_ns } : null;
  }

  async addDevice(accountId: string, name: string, tokenHash: string, now: number): Promise<string> {
    return this.#write(() => this.#insertDevice(accountId, name, tokenHash, now));
  }

  async authenticate(tokenHash: string, now: number): Promise<AuthContext | null> {
    const row = this.#sql.get<{ id: string; account_id: string; name: string; email: string; last_seen_at: number | null }>(
      `SELECT d.id, d.account_id, d.name, a.email, d.last_seen_at FROM devices d JOIN accounts a ON a.id = d.account_id
       WHERE d.token_hash = ? AND d.revoked_at IS NULL`,
      tokenHash,
    );
    if (!row) return null;
    if (row.last_seen_at === null || now - row.last_seen_at > LAST_SEEN_RESOLUTION_MS) {
      // Through the group commit, not awaited and not fsynced on its own: an autocommit
      // UPDATE here would cost a WAL fsync on the event loop for a value that may be lost.
      this.#enqueue(() => this.#sql.run('UPDATE devices SET last_seen_at = ? WHERE id = ?', now, row.id), false).catch(
        (err: unknown) => this.#onError(err, 'last_seen_at update failed'),
      );
    }
    return { accountId: row.account_id, deviceId: row.id, deviceName: row.name, email: row.email };
  }

  async listDevices(accountId: string, currentDeviceId: string): Promise<Device[]> {
    const rows = this.#sql.all<{ id: string; name: string; created_at: number; last_seen_at: number | null }>(
      'SELECT id, name, created_at, last_seen_at FROM devices WHERE account_id = ? AND revoked_at IS NULL ORDER BY created_at, id',
      accountId,
    );
    return rows.map((r) => ({ ...r, current: r.id === currentDeviceId }));
  }

  async revokeDevice(accountId: string, deviceId: string, now: number): Promise<void> {
    const n = this.#write(() =>
      this.#sql.run(
        'UPDATE devices SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL',
        now,
        deviceId,
        accountId,
      ),
    );
    if (n === 0) throw new CairnError('not_found', 'no such device');
  }

  async account(accountId: string): Promise<Account> {
    const a = this.#sql.get<{ id: string; email: string; home_ns: string; quota_bytes: number }>(
      'SELECT id, email, home_ns, quota_bytes FROM accounts WHERE id = ?',
      accountId,
    );
    if (!a) throw new CairnError('not_found', 'no such account');
    return {
      account_id: a.id,
      email: a.email,
      home_ns: a.home_ns,
      quota_bytes: a.quota_bytes,
      used_bytes: this.#used(a.id),
      namespaces: await this.mounts(a.id),
    };
  }

  #used(accountId: string): number {
    return this.#sql.get<{ u: number }>(
      'SELECT COALESCE(SUM(used_bytes), 0) AS u FROM namespaces WHERE owner_account = ?',
      accountId,
    )!.u;
  }

  async listAccounts(): Promise<AccountSummary[]> {
    return this.#sql.all<AccountSummary>(
      `SELECT a.id AS account_id, a.email, a.home_ns, a.quota_bytes, a.created_at,
         (SELECT COALESCE(SUM(n.used_bytes), 0) FROM namespaces n WHERE n.owner_account = a.id) AS used_bytes,
         (SELECT COUNT(*) FROM devices d WHERE d.account_id = a.id AND d.revoked_at IS NULL) AS devices
       FROM accounts a ORDER BY a.email`,
    );
  }

  async setQuota(email: string, bytes: number): Promise<void> {
    const n = this.#write(() =>
      this.#sql.run('UPDATE accounts SET quota_bytes = ? WHERE email = ?', bytes, email.toLowerCase()),
    );
    if (n === 0) throw new CairnError('not_found', 'no account with this email');
  }

  async mounts(accountId: string): Promise<Mount[]> {
    return this.#sql.all<Mount>(
      'SELECT ns, role, mount_path FROM namespace_members WHERE account_id = ? ORDER BY mount_path, ns',
      accountId,
    );
  }

  async role(accountId: string, ns: string): Promise<Role | null> {
    const row = this.#sql.get<{ role: Role }>('SELECT role FROM namespace_members WHERE ns = ? AND account_id = ?', ns, accountId);
    return row?.role ?? null;
  }

  // ---- blocks ---------------------------------------------------------------------------

  async missingBlocks(accountId: string, hashes: string[]): Promise<string[]> {
    const owned = ownedBlockSizes(this.#sql, accountId, hashes);
    return [...new Set(hashes)].filter((h) => !owned.has(h));
  }

  async recordBlock(accountId: string, hash: string, size: number, now: number): Promise<void> {
    await this.#enqueue(() => {
      this.#sql.run(
        `INSERT INTO blocks (hash, size, refcount, created_at, touched_at) VALUES (?, ?, 0, ?, ?)
         ON CONFLICT (hash) DO UPDATE SET touched_at = excluded.touched_at`,
        hash,
        size,
        now,
        now,
      );
      this.#sql.run('INSERT INTO block_owners (account_id, hash) VALUES (?, ?) ON CONFLICT DO NOTHING', accountId, hash);
    }, false);
  }

  async blockKnown(hash: string): Promise<boolean> {
    return this.#sql.get('SELECT 1 FROM blocks WHERE hash = ?', hash) !== undefined;
  }

  async readableBlock(accountId: string, hash: string): Promise<number | null> {
    const row = this.#sql.get<{ size: number }>(
      `SELECT b.size FROM blocks b WHERE b.hash = ? AND (
         EXISTS (SELECT 1 FROM block_owners o WHERE o.hash = b.hash AND o.account_id = ?)
         OR EXISTS (SELECT 1 FROM revision_blocks rb JOIN revisions r ON r.rev = rb.rev
                    JOIN namespace_members m ON m.ns = r.ns
                    WHERE rb.hash = b.hash AND m.account_id = ?))`,
      hash,
      accountId,
      accountId,
    );
    return row?.size ?? null;
  }

  // ---- files ----------------------------------------------------------------------------

  async commit(actor: Actor, ns: string, req: CommitRequest): Promise<Entry> {
    return this.#enqueue(() => this.#tree.commit(actor, ns, req));
  }

  async commitBatch(actor: Actor, ns: string, reqs: CommitRequest[]): Promise<BatchResult[]> {
    checkBatchBudget(reqs);
    return this.#enqueue(() =>
      reqs.map((req): BatchResult => {
        try {
          return { ok: true, entry: this.db.transaction(() => this.#tree.commit(actor, ns, req))() };
        } catch (err) {
          if (!(err instanceof CairnError)) throw err;
          return { ok: false, error: err.toBody().error };
        }
      }),
    );
  }

  async mkdir(actor: Actor, ns: string, path: string): Promise<Entry> {
    return this.#enqueue(() => this.#tree.mkdir(actor, ns, path));
  }

  async move(actor: Actor, ns: string, from: string, to: string, parentRev?: string): Promise<Entry> {
    return this.#enqueue(() => this.#tree.move(actor, ns, from, to, parentRev));
  }

  async delete(actor: Actor, ns: string, path: string, parentRev?: string, unchangedSince?: number): Promise<Entry> {
    return this.#enqueue(() => this.#tree.delete(actor, ns, path, parentRev, unchangedSince));
  }

  async undelete(actor: Actor, ns: string, path: string): Promise<Entry> {
    return this.#enqueue(() => this.#tree.undelete(actor, ns, path));
  }

  async restore(actor: Actor, ns: string, path: string, rev: string): Promise<Entry> {
    return this.#enqueue(() => this.#tree.restore(actor, ns, path, rev));
  }

  async list(ns: string, rawPath: string, after: string | undefined, limit: number): Promise<EntryPage> {
    const path = normalizePath(rawPath);
    let key = '';
    if (path !== '') {
      const e = this.#tree.liveByKey(ns, pathKey(path));
      if (!e) throw new CairnError('not_found');
      if (e.kind !== 'folder') throw new CairnError('parent_not_folder', 'the path is a file');
      key = e.path_key;
    }
    const rows = this.#sql.all<EntryRow>(
      `${ENTRY_SELECT} WHERE e.ns = ? AND e.parent_key = ? AND e.deleted = 0 AND e.name > ? ORDER BY e.name LIMIT ?`,
      ns,
      key,
      after ?? '',
      limit + 1,
    );
    return page(rows, limit, (r) => r.name);
  }

  async listDeleted(ns: string, rawPath: string, after: string | undefined, limit: number): Promise<EntryPage> {
    const path = normalizePath(rawPath);
    const [lo, hi] = subtreeRange(pathKey(path));
    let at = Number.MAX_SAFE_INTEGER;
    let id = '';
    if (after !== undefined) {
      const m = /^(\d+)\.([A-Za-z0-9_-]+)$/u.exec(after);
      if (!m) throw new CairnError('bad_request', 'malformed paging token `after`');
      at = Number(m[1]);
      id = m[2]!;
    }
    const rows = this.#sql.all<EntryRow>(
      `${ENTRY_SELECT} WHERE e.ns = ? AND e.deleted = 1 AND e.path_key >= ? AND e.path_key < ?
         AND (e.deleted_at < ? OR (e.deleted_at = ? AND e.id < ?) OR ? = '')
       ORDER BY e.deleted_at DESC, e.id DESC LIMIT ?`,
      ns,
      lo,
      hi,
      at,
      at,
      id,
      id,
      limit + 1,
    );
    return page(rows, limit, (r) => `${r.deleted_at}.${r.id}`);
  }

  async snapshot(ns: string, after: string | undefined, limit: number): Promise<EntryPage & { seq: number }> {
    return this.db.transaction(() => {
      const seq = this.#sql.get<{ seq: number }>('SELECT seq FROM namespaces WHERE id = ?', ns)?.seq ?? 0;
      const rows = this.#sql.all<EntryRow>(
        `${ENTRY_SELECT} WHERE e.ns = ? AND e.deleted = 0 AND e.path > ? ORDER BY e.path LIMIT ?`,
        ns,
        after ?? '',
        limit + 1,
      );
      return { ...page(rows, limit, (r) => r.path), seq };
    })();
  }

  async meta(ns: string, rawPath: string, includeDeleted: boolean): Promise<Entry> {
    const e = this.#find(ns, rawPath, includeDeleted);
    if (!e) throw new CairnError('not_found');
    return toEntry(e);
  }

  /** Live entry at a path (the root is a synthetic folder), else optionally the last deleted one. */
  #find(ns: string, rawPath: string, includeDeleted: boolean): EntryRow | undefined {
    const path = normalizePath(rawPath);
    if (path === '') throw new CairnError('path_invalid', 'the root has no metadata');
    const key = pathKey(path);
    return this.#tree.liveByKey(ns, key) ?? (includeDeleted ? this.#tree.lastDeletedByKey(ns, key) : undefined);
  }

  async revisions(ns: string, rawPath: string, limit: number): Promise<Revision[]> {
    const e = this.#find(ns, rawPath, true);
    if (!e || e.kind !== 'file') throw new CairnError('not_found', 'no file at this path');
    const rows = this.#sql.all<RevisionRow>(
      `SELECT r.*, d.name AS device_name FROM revisions r LEFT JOIN devices d ON d.id = r.device_id
       WHERE r.entry_id = ? ORDER BY r.seq DESC LIMIT ?`,
      e.id,
      limit,
    );
    return rows.map((r) => toRevision(r, r.rev === e.rev));
  }

  async downloadTarget(ns: string, rawPath: string, rev: string | undefined): Promise<DownloadTarget> {
    return this.db.transaction(() => {
      const e = this.#find(ns, rawPath, rev !== undefined);
      if (!e || e.kind !== 'file') throw new CairnError('not_found', 'no file at this path');
      const r = this.#sql.get<RevisionRow>('SELECT * FROM revisions WHERE rev = ? AND entry_id = ?', rev ?? e.rev, e.id);
      if (!r) throw new CairnError('not_found', 'no such revision of this file');
      const blocks = this.#sql.all<{ hash: string; size: number }>(
        'SELECT rb.hash, b.size FROM revision_blocks rb JOIN blocks b ON b.hash = rb.hash WHERE rb.rev = ? ORDER BY rb.idx',
        r.rev,
      );
      return { rev: r.rev, size: r.size, content_hash: r.content_hash, blocks };
    })();
  }

  // ---- journal --------------------------------------------------------------------------

  async changes(accountId: string, cursor: string | undefined, limit: number): Promise<ChangesPage> {
    const state = cursor === undefined ? null : decodeCursor(cursor);
    return this.db.transaction((): ChangesPage => {
      const spaces = this.#sql.all<{ ns: string; seq: number; horizon_seq: number }>(
        `SELECT n.id AS ns, n.seq, n.horizon_seq FROM namespace_members m JOIN namespaces n ON n.id = m.ns
         WHERE m.account_id = ? ORDER BY n.id`,
        accountId,
      );
      const next: Record<string, number> = {};
      const resetNs: string[] = [];
      const changes: Change[] = [];
      let hasMore = false;
      let room = limit;
      for (const s of spaces) {
        const at = state?.ns[s.ns];
        // Unknown to the cursor, compacted past it, or from the future (a restored
        // backup): the client must re-snapshot this namespace.
        if (at === undefined || at < s.horizon_seq || at > s.seq) {
          resetNs.push(s.ns);
          next[s.ns] = 0;
          continue;
        }
        next[s.ns] = at;
        if (at === s.seq) continue;
        if (room === 0) {
          hasMore = true;
          continue;
        }
        const rows = this.#sql.all<{
          seq: number;
          op: Change['op'];
          from_path: string | null;
          entry: string;
          mount_ns: string | null;
          mount_role: Role | null;
        }>(
          'SELECT seq, op, from_path, entry, mount_ns, mount_role FROM journal WHERE ns = ? AND seq > ? ORDER BY seq LIMIT ?',
          s.ns,
          at,
          room,
        );
        for (const r of rows) {
          const c: Change = { ns: s.ns, seq: r.seq, op: r.op, entry: JSON.parse(r.entry) as Entry };
          if (r.from_path !== null) c.from = r.from_path;
          if (r.mount_ns !== null && r.mount_role !== null) c.mount = { ns: r.mount_ns, role: r.mount_role };
          changes.push(c);
          next[s.ns] = r.seq;
        }
        room -= rows.length;
        if (next[s.ns]! < s.seq) hasMore = true;
      }
      return { changes, cursor: encodeCursor({ ns: next }), has_more: hasMore, reset: resetNs.length > 0, reset_ns: resetNs };
    })();
  }

  async seqs(accountId: string): Promise<Record<string, number>> {
    const rows = this.#sql.all<{ ns: string; seq: number }>(
      'SELECT n.id AS ns, n.seq FROM namespace_members m JOIN namespaces n ON n.id = m.ns WHERE m.account_id = ?',
      accountId,
    );
    return Object.fromEntries(rows.map((r) => [r.ns, r.seq]));
  }

  // ---- shared folders -------------------------------------------------------------------

  async share(actor: Actor, ns: string, path: string, email: string, role: 'editor' | 'viewer'): Promise<{ ns: string; member: ShareMember }> {
    return this.#enqueue(() => this.#sharing.share(actor, ns, path, email, role));
  }

  async shareInfo(accountId: string, ns: string): Promise<Share> {
    return this.db.transaction(() => this.#sharing.shareInfo(accountId, ns))();
  }

  async listShares(accountId: string): Promise<{ shares: Share[]; invitations: Invitation[] }> {
    return this.db.transaction(() => this.#sharing.listShares(accountId))();
  }

  async acceptInvitation(actor: Actor, invitationId: string, path: string | undefined): Promise<Mount> {
    return this.#enqueue(() => this.#sharing.accept(actor, invitationId, path));
  }

  async declineInvitation(accountId: string, invitationId: string): Promise<void> {
    return this.#enqueue(() => this.#sharing.decline(accountId, invitationId));
  }

  async setMemberRole(actor: Actor, ns: string, email: string, role: 'editor' | 'viewer'): Promise<ShareMember> {
    return this.#enqueue(() => this.#sharing.setRole(actor, ns, email, role));
  }

  async removeMember(actor: Actor, ns: string, email: string): Promise<string | null> {
    return this.#enqueue(() => this.#sharing.remove(actor, ns, email));
  }

  async leaveShare(actor: Actor, ns: string): Promise<void> {
    return this.#enqueue(() => this.#sharing.leave(actor, ns));
  }

  async unshare(actor: Actor, ns: string): Promise<string[]> {
    return this.#enqueue(() => this.#sharing.unshare(actor, ns));
  }

  // ---- public links ---------------------------------------------------------------------

  async createLink(
    actor: Actor,
    ns: string,
    path: string,
    link: { id: string; tokenHash: string; expiresAt: number | null; passwordHash: string | null },
  ): Promise<Link> {
    return this.#enqueue(() => this.#links.create(actor, ns, path, link));
  }

  async listLinks(accountId: string, now: number): Promise<Link[]> {
    return this.#links.list(accountId, now);
  }

  async revokeLink(accountId: string, id: string, now: number): Promise<void> {
    return this.#enqueue(() => this.#links.revoke(accountId, id, now));
  }

  async resolveLink(tokenHash: string, now: number): Promise<ResolvedLink> {
    return this.db.transaction(() => this.#links.resolve(tokenHash, now))();
  }

  async linkFiles(ns: string, path: string, limit: number): Promise<Entry[]> {
    return this.#links.files(ns, path, limit).map(toEntry);
  }

  // ---- maintenance ----------------------------------------------------------------------

  /**
   * Runs the pass as bounded steps (store/sqlite/gc-steps.ts), each one write of the group
   * commit queue: the event loop and client writes run between steps.
   */
  async gc(now: number, retentionMs: number, graceMs: number): Promise<GcReport> {
    const cutoff = now - retentionMs;
    const steps = new GcSteps(this.#sql);
    const report: GcReport = { revisionsPruned: 0, entriesPurged: 0, journalRecordsCompacted: 0, blocksDeleted: [] };
    const phases = [
      () => steps.purgeEntries(cutoff),
      () => steps.pruneRevisions(cutoff),
      () => steps.compactJournal(cutoff),
      () => steps.dropBlocks(now - graceMs),
    ];
    for (const phase of phases) {
      for (let more = true; more; ) {
        const r = await this.#enqueue(phase);
        report.revisionsPruned += r.revisionsPruned;
        report.entriesPurged += r.entriesPurged;
        report.journalRecordsCompacted += r.journalRecordsCompacted;
        report.blocksDeleted.push(...r.blocksDeleted);
        more = r.more;
      }
    }
    return report;
  }

  /** See MetadataStore.recount: one read transaction (a consistent snapshot) unless `fix`. */
  async recount(fix = false): Promise<RefcountReport> {
    const run = (fn: () => RefcountReport) => (fix ? this.#write(fn) : this.db.transaction(fn)());
    return run((): RefcountReport => {
      const counts = new Map(
        this.#sql
          .all<{ hash: string; n: number }>('SELECT hash, COUNT(*) AS n FROM revision_blocks GROUP BY hash')
          .map((r) => [r.hash, r.n]),
      );
      const blocks = this.#sql.all<{ hash: string; size: number; refcount: number }>(
        'SELECT hash, size, refcount FROM blocks ORDER BY hash',
      );
      let drift = 0;
      const known = new Set<string>();
      for (const b of blocks) {
        known.add(b.hash);
        const n = counts.get(b.hash) ?? 0;
        if (n !== b.refcount) {
          if (fix) this.#sql.run('UPDATE blocks SET refcount = ? WHERE hash = ?', n, b.hash);
          b.refcount = n;
          drift++;
        }
      }
      return {
        refcountDrift: drift,
        refcountFixed: fix ? drift : 0,
        referencedButUnknown: [...counts.keys()].filter((h) => !known.has(h)),
        blocks,
      };
    });
  }

  async integrity(): Promise<string[]> {
    const problems: string[] = [];
    for (const r of this.db.pragma('integrity_check') as { integrity_check: string }[]) {
      if (r.integrity_check !== 'ok') problems.push(r.integrity_check);
    }
    for (const r of this.db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]) {
      problems.push(`foreign key: ${r.table} row ${r.rowid} -> ${r.parent}`);
    }
    return problems;
  }

  async close(): Promise<void> {
    if (this.#txq.pending > 0) this.#txq.flush();
    if (this.db.open) {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
  }
}

/** Cuts a `limit + 1` row fetch into a page and the next-page token. */
function page(rows: EntryRow[], limit: number, token: (r: EntryRow) => string): EntryPage {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  return { entries: pageRows.map(toEntry), next: more ? token(pageRows[pageRows.length - 1]!) : null };
}
