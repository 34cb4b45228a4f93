/**
 * Namespace tree mutations (commit, mkdir, move, delete, undelete, restore), each meant to
 * run inside one SQLite transaction opened by the caller (store.ts). A thrown CairnError
 * rolls the whole transaction back, so bad input never changes anything.
 *
 * Invariants kept here:
 * - every live entry's parent is a live folder (implicit parents are created, each with its
 *   own `mkdir` journal record before the main record);
 * - live paths are unique under `pathKey` (enforced by the `entries_live_key` index too);
 * - a child's path starts with its parent's exact path, so ancestors adopt the existing
 *   folder's casing (committing `a/x` into an existing `A` yields `A/x`);
 * - a folder move or delete is ONE journal record for the folder; its subtree moves or is
 *   deleted in the same transaction;
 * - `namespaces.used_bytes` = sum of the sizes of the namespace's live files (quota).
 */
import {
  CairnError,
  MAX_PATH_BYTES,
  baseName,
  contentHash,
  isPortableName,
  joinPath,
  normalizePath,
  parentPath,
  pathKey,
  type CommitRequest,
  type Entry,
} from '../../../src-shared/index.ts';
import type { Actor } from '../metadata.ts';
import type { Sql } from './sql.ts';
import { ENTRY_SELECT, newId, subtreeRange, toEntry, type EntryRow, type RevisionRow } from './rows.ts';
import { checkCommitShape } from '../commit-shape.ts';
import { addBlockRefs, ownedBlockSizes } from './block-refs.ts';

/** UTF-8 length of a path (bytes). */
function pathBytes(p: string): number {
  return Buffer.byteLength(p, 'utf8');
}

/**
 * Refuses a path that would be over {@link MAX_PATH_BYTES} once stored. Client paths are
 * checked by normalizePath, but a stored path can grow past them: an existing ancestor's
 * casing is adopted (`ı` is 2 bytes where the client wrote `i`), and a folder move or an
 * undelete rebases a whole subtree under a longer prefix.
 * @throws CairnError `path_too_long`
 */
function checkPathBytes(p: string, extra = 0): void {
  const n = pathBytes(p) + extra;
  if (n > MAX_PATH_BYTES) throw new CairnError('path_too_long', undefined, { path_bytes: n, max_bytes: MAX_PATH_BYTES });
}

/** Journal operations (`mount`/`unmount` are written by sharing.ts). */
export type Op = 'put' | 'mkdir' | 'delete' | 'move' | 'mount' | 'unmount';

/** Mutations of one namespace tree; `onSeq` hears every journal append (ns, seq). */
export class TreeOps {
  readonly #sql: Sql;
  readonly #onSeq: (ns: string, seq: number) => void;
  constructor(sql: Sql, onSeq: (ns: string, seq: number) => void) {
    this.#sql = sql;
    this.#onSeq = onSeq;
  }

  // ---- reads used by writes -----------------------------------------------------------

  /** The live entry whose key is `key`, if any. */
  liveByKey(ns: string, key: string): EntryRow | undefined {
    return this.#sql.get<EntryRow>(`${ENTRY_SELECT} WHERE e.ns = ? AND e.path_key = ? AND e.deleted = 0`, ns, key);
  }

  /** The most recently deleted entry whose key is `key`, if any. */
  lastDeletedByKey(ns: string, key: string): EntryRow | undefined {
    return this.#sql.get<EntryRow>(
      `${ENTRY_SELECT} WHERE e.ns = ? AND e.path_key = ? AND e.deleted = 1 ORDER BY e.deleted_at DESC, e.seq DESC LIMIT 1`,
      ns,
      key,
    );
  }

  /** The wire entry of row `id` (live or deleted); the caller knows it exists (throws otherwise). */
  entryById(id: string): Entry {
    return toEntry(this.#sql.get<EntryRow>(`${ENTRY_SELECT} WHERE e.id = ?`, id)!);
  }

  // ---- journal ------------------------------------------------------------------------

  /** Advances `ns`'s journal by one and returns the new seq. @throws `not_found` */
  nextSeq(ns: string): number {
    const row = this.#sql.get<{ seq: number }>('UPDATE namespaces SET seq = seq + 1 WHERE id = ? RETURNING seq', ns);
    if (!row) throw new CairnError('not_found', 'no such namespace');
    return row.seq;
  }

  /**
   * Appends the journal record `seq` of `ns` with the entry's current state (read back from
   * its row). `mount` is for `mount`/`unmount` records.
   */
  journal(ns: string, seq: number, op: Op, entryId: string, now: number, from?: string, mount?: { ns: string; role: string }): Entry {
    const entry = this.entryById(entryId);
    this.#sql.run(
      'INSERT INTO journal (ns, seq, op, from_path, entry, created_at, mount_ns, mount_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ns,
      seq,
      op,
      from ?? null,
      JSON.stringify(entry),
      now,
      mount?.ns ?? null,
      mount?.role ?? null,
    );
    this.#onSeq(ns, seq);
    return entry;
  }

  // ---- mount points ---------------------------------------------------------------------

  /** Path keys of the live mount points of `ns` (only home namespaces have any). */
  #mountKeys(ns: string): string[] {
    return this.#sql
      .all<{ path_key: string }>('SELECT path_key FROM entries WHERE ns = ? AND mount_ns IS NOT NULL AND deleted = 0', ns)
      .map((r) => r.path_key);
  }

  /**
   * Refuses a write at `key` when it is a mount point or inside one (its content belongs to
   * the mounted namespace) and, with `subtree`, when a mount point lies below `key` (moving or
   * deleting it would move or delete another namespace's mount).
   * `atOk`: `key` may be a mount point itself (moving one within its home).
   * @throws `mount_point`
   */
  guardMounts(ns: string, key: string, subtree = false, atOk = false): void {
    for (const m of this.#mountKeys(ns)) {
      if ((key === m && !atOk) || key.startsWith(`${m}/`) || (subtree && (key === '' || m.startsWith(`${key}/`)))) {
        throw new CairnError('mount_point', undefined, { mount_path_key: m });
      }
    }
  }

  /** Keeps the membership's mount path equal to the moved mount point's path. */
  #moveMount(homeNs: string, mountNs: string, path: string): void {
    this.#sql.run(
      'UPDATE namespace_members SET mount_path = ? WHERE ns = ? AND account_id = (SELECT id FROM accounts WHERE home_ns = ?)',
      path,
      mountNs,
      homeNs,
    );
  }

  /** Creates a mount point folder at `path` of home `ns` (parents created), journaled as `mount`. */
  insertMountPoint(actor: Actor, ns: string, path: string, mountNs: string, role: string): Entry {
    const parent = this.ensureParents(actor, ns, path);
    const finalPath = joinPath(parent, baseName(path));
    const seq = this.nextSeq(ns);
    const id = this.#insertEntry(actor, ns, finalPath, 'folder', actor.now, seq, { ns: mountNs, role });
    return this.journal(ns, seq, 'mount', id, actor.now, undefined, { ns: mountNs, role });
  }

  // ---- helpers ------------------------------------------------------------------------

  /** Normalises a client path that must not be the root. @throws path errors */
  static nonRoot(raw: string, what: string): string {
    const p = normalizePath(raw);
    if (p === '') throw new CairnError('path_invalid', `${what} cannot be the root`);
    return p;
  }

  /**
   * Makes sure every ancestor of `path` is a live folder, creating missing ones (each with a
   * `mkdir` record). Returns the parent's exact stored path (existing casing wins).
   * @throws `parent_not_folder` when an ancestor is a file; `path_too_long` when `path` under
   * the adopted casing is over the limit (the caller's transaction rolls the folders back).
   */
  ensureParents(actor: Actor, ns: string, path: string): string {
    const parts = path.split('/');
    let parent = '';
    for (let i = 0; i < parts.length - 1; i++) {
      const want = joinPath(parent, parts[i]!);
      const found = this.liveByKey(ns, pathKey(want));
      if (found) {
        if (found.kind !== 'folder') {
          throw new CairnError('parent_not_folder', undefined, { path: found.path });
        }
        parent = found.path;
      } else {
        this.#insertFolder(actor, ns, want);
        parent = want;
      }
    }
    checkPathBytes(joinPath(parent, parts[parts.length - 1]!));
    return parent;
  }

  /**
   * Inserts a new live entry row (a folder, a mount point folder, or a file whose revision is
   * set right after) and returns its new id. The one place entry rows are created, so the
   * derived columns (path_key, parent_key, name, portable) cannot disagree between callers.
   */
  #insertEntry(
    actor: Actor,
    ns: string,
    path: string,
    kind: 'file' | 'folder',
    mtime: number,
    seq: number,
    mount?: { ns: string; role: string },
  ): string {
    const id = newId();
    const name = baseName(path);
    this.#sql.run(
      `INSERT INTO entries (id, ns, path, path_key, parent_key, name, kind, rev, size, mtime, content_hash,
         executable, portable, deleted, seq, server_time, device_id, mount_ns, mount_role)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0, ?, NULL, 0, ?, 0, ?, ?, ?, ?, ?)`,
      id,
      ns,
      path,
      pathKey(path),
      pathKey(parentPath(path)),
      name,
      kind,
      mtime,
      isPortableName(name) ? 1 : 0,
      seq,
      actor.now,
      actor.deviceId,
      mount?.ns ?? null,
      mount?.role ?? null,
    );
    return id;
  }

  #insertFolder(actor: Actor, ns: string, path: string): Entry {
    const seq = this.nextSeq(ns);
    const id = this.#insertEntry(actor, ns, path, 'folder', actor.now, seq);
    return this.journal(ns, seq, 'mkdir', id, actor.now);
  }

  /** @throws `quota_exceeded` when adding `delta` bytes to ns would pass its owner's quota. */
  #checkQuota(ns: string, delta: number): void {
    if (delta <= 0) return;
    const row = this.#sql.get<{ quota: number; used: number }>(
      `SELECT a.quota_bytes AS quota,
         (SELECT COALESCE(SUM(n2.used_bytes), 0) FROM namespaces n2 WHERE n2.owner_account = a.id) AS used
       FROM namespaces n JOIN accounts a ON a.id = n.owner_account WHERE n.id = ?`,
      ns,
    )!;
    if (row.used + delta > row.quota) {
      throw new CairnError('quota_exceeded', undefined, { quota_bytes: row.quota, used_bytes: row.used, needed_bytes: delta });
    }
  }

  #addUsed(ns: string, delta: number): void {
    if (delta !== 0) this.#sql.run('UPDATE namespaces SET used_bytes = used_bytes + ? WHERE id = ?', delta, ns);
  }

  /** Inserts a revision with its block references (refcounts +1 per use). */
  #insertRevision(
    rev: string,
    entryId: string,
    ns: string,
    path: string,
    f: { size: number; mtime: number; content_hash: string; blocks: string[]; executable: boolean },
    actor: Actor,
    seq: number,
  ): void {
    this.#sql.run(
      `INSERT INTO revisions (rev, entry_id, ns, path, size, mtime, content_hash, blocks, executable, server_time, device_id, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      rev,
      entryId,
      ns,
      path,
      f.size,
      f.mtime,
      f.content_hash,
      JSON.stringify(f.blocks),
      f.executable ? 1 : 0,
      actor.now,
      actor.deviceId,
      seq,
    );
    addBlockRefs(this.#sql, rev, f.blocks);
  }

  /** Points a file entry at a new revision (supersedes the old one). */
  #setRevision(e: EntryRow, rev: string, f: { size: number; mtime: number; content_hash: string; executable: boolean }, actor: Actor, seq: number): void {
    if (e.rev) this.#sql.run('UPDATE revisions SET superseded_at = ? WHERE rev = ?', actor.now, e.rev);
    this.#sql.run(
      `UPDATE entries SET rev = ?, size = ?, mtime = ?, content_hash = ?, executable = ?, seq = ?, server_time = ?, device_id = ?
       WHERE id = ?`,
      rev,
      f.size,
      f.mtime,
      f.content_hash,
      f.executable ? 1 : 0,
      seq,
      actor.now,
      actor.deviceId,
      e.id,
    );
  }

  // ---- operations ---------------------------------------------------------------------

  /** See MetadataStore.commit. */
  commit(actor: Actor, ns: string, req: CommitRequest): Entry {
    const path = TreeOps.nonRoot(req.path, 'a file');
    checkCommitShape(req);
    this.guardMounts(ns, pathKey(path));
    const sizes = ownedBlockSizes(this.#sql, actor.accountId, req.blocks);
    const missing = [...new Set(req.blocks)].filter((h) => !sizes.has(h));
    if (missing.length > 0) throw new CairnError('block_missing', undefined, { missing });
    let total = 0;
    for (const h of req.blocks) total += sizes.get(h)!;
    if (total !== req.size) throw new CairnError('size_mismatch', undefined, { size: req.size, blocks_size: total });

    const existing = this.liveByKey(ns, pathKey(path));
    if (existing) {
      if (existing.kind === 'folder') throw new CairnError('path_exists', 'a folder exists at this path', { path: existing.path });
      if (req.parent_rev === null && existing.path !== path) {
        throw new CairnError('path_case_collision', undefined, { existing: existing.path });
      }
      if (existing.rev !== req.parent_rev) throw new CairnError('conflict', undefined, { current: toEntry(existing) });
    } else if (req.parent_rev !== null) {
      throw new CairnError('conflict', 'the entry no longer exists', { current: null });
    }
    this.#checkQuota(ns, total - (existing?.size ?? 0));

    const file = {
      size: total,
      mtime: req.mtime,
      content_hash: contentHash(req.blocks),
      blocks: req.blocks,
      executable: req.executable ?? false,
    };
    const rev = newId();
    if (existing) {
      const seq = this.nextSeq(ns);
      this.#insertRevision(rev, existing.id, ns, existing.path, file, actor, seq);
      this.#setRevision(existing, rev, file, actor, seq);
      this.#addUsed(ns, total - existing.size);
      return this.journal(ns, seq, 'put', existing.id, actor.now);
    }
    const parent = this.ensureParents(actor, ns, path);
    const finalPath = joinPath(parent, baseName(path));
    const seq = this.nextSeq(ns);
    const id = this.#insertEntry(actor, ns, finalPath, 'file', req.mtime, seq);
    this.#insertRevision(rev, id, ns, finalPath, file, actor, seq);
    this.#setRevision({ id, rev: null } as EntryRow, rev, file, actor, seq);
    this.#addUsed(ns, total);
    return this.journal(ns, seq, 'put', id, actor.now);
  }

  /** See MetadataStore.mkdir. Idempotent: an existing folder with the same exact path is returned. */
  mkdir(actor: Actor, ns: string, raw: string): Entry {
    const path = TreeOps.nonRoot(raw, 'mkdir');
    this.guardMounts(ns, pathKey(path));
    const existing = this.liveByKey(ns, pathKey(path));
    if (existing) {
      if (existing.kind !== 'folder') throw new CairnError('path_exists', 'a file exists at this path', { path: existing.path });
      if (existing.path !== path) throw new CairnError('path_case_collision', undefined, { existing: existing.path });
      return toEntry(existing);
    }
    const parent = this.ensureParents(actor, ns, path);
    return this.#insertFolder(actor, ns, joinPath(parent, baseName(path)));
  }

  /** See MetadataStore.move. */
  move(actor: Actor, ns: string, rawFrom: string, rawTo: string, parentRev?: string): Entry {
    const from = TreeOps.nonRoot(rawFrom, 'the source');
    const to = TreeOps.nonRoot(rawTo, 'the target');
    // A mount point (or a folder holding some) may move within its home: it is only where this
    // account sees the shared folder (D28). Writing into a mount point stays refused.
    // A case-only rename of a mount point: `to` has the mount point's own key.
    this.guardMounts(ns, pathKey(from), false, true);
    this.guardMounts(ns, pathKey(to), false, pathKey(to) === pathKey(from));
    const src = this.liveByKey(ns, pathKey(from));
    if (!src) throw new CairnError('not_found', 'no entry at the source path');
    if (parentRev !== undefined && src.kind === 'file' && src.rev !== parentRev) {
      throw new CairnError('conflict', undefined, { current: toEntry(src) });
    }
    const toKey = pathKey(to);
    if (src.kind === 'folder' && toKey.startsWith(`${src.path_key}/`)) throw new CairnError('move_into_self');
    if (toKey !== src.path_key) {
      const target = this.liveByKey(ns, toKey);
      if (target) {
        throw new CairnError(target.path === to ? 'path_exists' : 'path_case_collision', undefined, { existing: target.path });
      }
    }
    let rows: { id: string; path: string; mount_ns: string | null }[] = [];
    if (src.kind === 'folder') {
      const [lo, hi] = subtreeRange(src.path_key);
      rows = this.#sql.all<{ id: string; path: string; mount_ns: string | null }>(
        'SELECT id, path, mount_ns FROM entries WHERE ns = ? AND deleted = 0 AND path_key >= ? AND path_key < ?',
        ns,
        lo,
        hi,
      );
    }
    // Longest rebased path = the new folder path + the longest tail below it: checked before
    // anything is written, and again once the parents' casing is known.
    const srcBytes = pathBytes(src.path);
    const tail = rows.reduce((m, r) => Math.max(m, pathBytes(r.path) - srcBytes), 0);
    checkPathBytes(to, tail);
    const parent = this.ensureParents(actor, ns, to);
    const newPath = joinPath(parent, baseName(to));
    checkPathBytes(newPath, tail);
    if (newPath === src.path) return toEntry(src);
    const seq = this.nextSeq(ns);
    const name = baseName(newPath);
    this.#sql.run(
      `UPDATE entries SET path = ?, path_key = ?, parent_key = ?, name = ?, portable = ?, seq = ?, server_time = ?, device_id = ?
       WHERE id = ?`,
      newPath,
      pathKey(newPath),
      pathKey(parent),
      name,
      isPortableName(name) ? 1 : 0,
      seq,
      actor.now,
      actor.deviceId,
      src.id,
    );
    for (const r of rows) {
      // Keys are recomputed from the full path (case folding is not always per-character).
      const p = newPath + r.path.slice(src.path.length);
      this.#sql.run(
        'UPDATE entries SET path = ?, path_key = ?, parent_key = ?, seq = ?, server_time = ? WHERE id = ?',
        p,
        pathKey(p),
        pathKey(parentPath(p)),
        seq,
        actor.now,
        r.id,
      );
      if (r.mount_ns !== null) this.#moveMount(ns, r.mount_ns, p);
    }
    if (src.mount_ns !== null) this.#moveMount(ns, src.mount_ns, newPath);
    return this.journal(ns, seq, 'move', src.id, actor.now, src.path);
  }

  /** See MetadataStore.delete. */
  delete(actor: Actor, ns: string, raw: string, parentRev?: string, unchangedSince?: number): Entry {
    const path = TreeOps.nonRoot(raw, 'delete');
    this.guardMounts(ns, pathKey(path), true);
    const e = this.liveByKey(ns, pathKey(path));
    if (!e) throw new CairnError('not_found');
    if (parentRev !== undefined && e.kind === 'file' && e.rev !== parentRev) {
      throw new CairnError('conflict', undefined, { current: toEntry(e) });
    }
    if (unchangedSince !== undefined && e.kind === 'folder') {
      const [lo, hi] = subtreeRange(e.path_key);
      const newer = this.#sql.get<{ one: number }>(
        'SELECT 1 AS one FROM entries WHERE ns = ? AND deleted = 0 AND path_key >= ? AND path_key < ? AND seq > ? LIMIT 1',
        ns,
        lo,
        hi,
        unchangedSince,
      );
      if (e.seq > unchangedSince || newer) throw new CairnError('conflict', 'the folder changed meanwhile', { current: toEntry(e) });
    }
    const seq = this.nextSeq(ns);
    let freed = e.size;
    if (e.kind === 'folder') {
      const [lo, hi] = subtreeRange(e.path_key);
      const sum = this.#sql.get<{ s: number }>(
        'SELECT COALESCE(SUM(size), 0) AS s FROM entries WHERE ns = ? AND deleted = 0 AND path_key >= ? AND path_key < ?',
        ns,
        lo,
        hi,
      )!;
      freed = sum.s;
      this.#sql.run(
        `UPDATE entries SET deleted = 1, deleted_at = ?, delete_root = ?, seq = ?, server_time = ?, device_id = ?
         WHERE ns = ? AND deleted = 0 AND path_key >= ? AND path_key < ?`,
        actor.now,
        e.id,
        seq,
        actor.now,
        actor.deviceId,
        ns,
        lo,
        hi,
      );
    }
    this.#sql.run(
      'UPDATE entries SET deleted = 1, deleted_at = ?, delete_root = ?, seq = ?, server_time = ?, device_id = ? WHERE id = ?',
      actor.now,
      e.id,
      seq,
      actor.now,
      actor.deviceId,
      e.id,
    );
    this.#addUsed(ns, -freed);
    return this.journal(ns, seq, 'delete', e.id, actor.now);
  }

  /**
   * See MetadataStore.undelete: restores the most recently deleted entry at `path` and
   * everything deleted with it beneath it (same delete operation), one record per entry
   * (`mkdir` for folders, `put` for files, parents first).
   */
  undelete(actor: Actor, ns: string, raw: string): Entry {
    const path = TreeOps.nonRoot(raw, 'undelete');
    const key = pathKey(path);
    this.guardMounts(ns, key);
    const live = this.liveByKey(ns, key);
    if (live) {
      // Same rule as move: another casing of the name is a collision, not the same entry.
      throw new CairnError(live.path === path ? 'path_exists' : 'path_case_collision', undefined, { existing: live.path });
    }
    const d = this.lastDeletedByKey(ns, key);
    if (!d) throw new CairnError('not_found', 'nothing deleted at this path');
    let rows: EntryRow[] = [d];
    if (d.kind === 'folder') {
      const [lo, hi] = subtreeRange(d.path_key);
      rows = rows.concat(
        this.#sql.all<EntryRow>(
          `${ENTRY_SELECT} WHERE e.ns = ? AND e.deleted = 1 AND e.delete_root = ? AND e.deleted_at = ?
             AND e.path_key >= ? AND e.path_key < ? ORDER BY e.path_key`,
          ns,
          d.delete_root,
          d.deleted_at,
          lo,
          hi,
        ),
      );
    }
    const bytes = rows.reduce((s, r) => s + r.size, 0);
    this.#checkQuota(ns, bytes);
    const rootBytes = pathBytes(d.path);
    const tail = rows.reduce((m, r) => Math.max(m, pathBytes(r.path) - rootBytes), 0);
    const parent = this.ensureParents(actor, ns, d.path);
    const newRoot = joinPath(parent, d.name);
    // The live parents' casing may be longer than the deleted paths' (see checkPathBytes).
    checkPathBytes(newRoot, tail);
    for (const r of rows) {
      const p = newRoot + r.path.slice(d.path.length);
      const seq = this.nextSeq(ns);
      const name = baseName(p);
      this.#sql.run(
        `UPDATE entries SET deleted = 0, deleted_at = NULL, delete_root = NULL, path = ?, path_key = ?, parent_key = ?,
           name = ?, portable = ?, seq = ?, server_time = ?, device_id = ? WHERE id = ?`,
        p,
        pathKey(p),
        pathKey(parentPath(p)),
        name,
        isPortableName(name) ? 1 : 0,
        seq,
        actor.now,
        actor.deviceId,
        r.id,
      );
      this.journal(ns, seq, r.kind === 'folder' ? 'mkdir' : 'put', r.id, actor.now);
    }
    this.#addUsed(ns, bytes);
    return this.entryById(d.id);
  }

  /** See MetadataStore.restore: a new revision with the old one's blocks, size, mtime and mode. */
  restore(actor: Actor, ns: string, raw: string, rev: string): Entry {
    const path = TreeOps.nonRoot(raw, 'restore');
    this.guardMounts(ns, pathKey(path));
    const e = this.liveByKey(ns, pathKey(path));
    if (!e || e.kind !== 'file') throw new CairnError('not_found', 'no file at this path');
    const old = this.#sql.get<RevisionRow>('SELECT * FROM revisions WHERE rev = ? AND entry_id = ?', rev, e.id);
    if (!old) throw new CairnError('not_found', 'no such revision of this file');
    this.#checkQuota(ns, old.size - e.size);
    const file = {
      size: old.size,
      mtime: old.mtime,
      content_hash: old.content_hash,
      blocks: JSON.parse(old.blocks) as string[],
      executable: old.executable === 1,
    };
    const seq = this.nextSeq(ns);
    const newRev = newId();
    this.#insertRevision(newRev, e.id, ns, e.path, file, actor, seq);
    this.#setRevision(e, newRev, file, actor, seq);
    this.#addUsed(ns, old.size - e.size);
    return this.journal(ns, seq, 'put', e.id, actor.now);
  }
}
