/**
 * The engine's state DB (better-sqlite3, WAL): the three trees, the durable op log, the
 * local block index, settings/meta, the activity log and the list of sync issues.
 *
 * Every multi-row update runs in one transaction (`tx`), so a crash at any point leaves a
 * state the engine can resume from (docs/architecture.md §4.3). The trees are small rows
 * keyed by path; subtree moves and deletes are range updates on the path prefix.
 */
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { CairnError } from '../../../src-shared/errors.ts';
import { isInside } from '../../../src-shared/paths.ts';
import type { TreeName, TreeNode } from '../model.ts';
import { migrate, SCHEMA_VERSION } from './schema.ts';

const TREES: readonly TreeName[] = ['remote', 'local', 'synced'];

/** One logged activity line (see control.ts ActivityItem). */
export interface ActivityRow {
  id: number;
  time: number;
  path: string;
  action: string;
  device_name: string | null;
  detail: string | null;
}

/** A thing the engine cannot sync (see control.ts SyncIssue). */
export interface IssueRow {
  path: string;
  code: string;
  message: string;
  action: string;
  since: number;
}

/** One durable op-log row: an operation started and not yet finished. */
export interface OpRow {
  id: number;
  kind: string;
  path: string;
  payload: unknown;
  started_at: number;
}

/** A local copy of a block: where its bytes are on disk now. */
export interface BlockLocation {
  path: string;
  offset: number;
  length: number;
  /**
   * The local tree's record of the file holding it, when there is one: the stat its blocks were
   * hashed at (`hashedAt`: wall clock ms). A file whose current stat still equals it, racily clean
   * (scanner `stillHashed`), holds these bytes without re-hashing them.
   */
  file?: { inode: number | null; size: number; mtime: number; ctime: number | null; hashedAt: number | null } | null;
}

/** A tree row as SQLite returns it: booleans as 0/1, block lists as JSON, snake_case stamps. */
type RawNode = Omit<TreeNode, 'executable' | 'blocks' | 'device' | 'ctime' | 'hashedAt'> & {
  executable: number;
  blocks: string | null;
  device: string | null;
  ctime: number | null;
  hashed_at: number | null;
};

function toNode(r: RawNode): TreeNode {
  const { hashed_at, ...rest } = r;
  return { ...rest, hashedAt: hashed_at, executable: r.executable === 1, blocks: r.blocks === null ? null : (JSON.parse(r.blocks) as string[]) };
}

/** Upper bound of a path-prefix range: every path inside `p/` sorts below `p/\uffff`. */
function prefixRange(p: string): [string, string] {
  return [`${p}/`, `${p}/\uffff`];
}

/**
 * Handle on one device's state DB file. Not safe to share between processes (one engine per
 * home holds it).
 */
export class StateDb {
  readonly db: Db;
  private readonly stmts = new Map<string, Statement>();

  /**
   * Opens (creating and migrating) the DB at `file` (`:memory:` for tests).
   * @throws CairnError `internal` when the file is from a newer schema version.
   */
  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
  }

  close(): void {
    this.db.close();
  }

  private st(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` in one transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- trees --------------------------------------------------------------------------

  /**
   * Where the remote tree holds server entry `id` (indexed), or undefined; with `notAt`, only a
   * place other than that path (an entry found elsewhere has moved).
   */
  remotePathOf(id: string, notAt?: string): string | undefined {
    const row = (
      notAt === undefined
        ? this.st('SELECT path FROM remote WHERE id = ?').get(id)
        : this.st('SELECT path FROM remote WHERE id = ? AND path != ?').get(id, notAt)
    ) as { path: string } | undefined;
    return row?.path;
  }

  /** One node of `tree` at exactly `path`, or undefined. */
  get(tree: TreeName, path: string): TreeNode | undefined {
    const r = this.st(`SELECT * FROM ${tree} WHERE path = ?`).get(path) as RawNode | undefined;
    return r ? toNode(r) : undefined;
  }

  /**
   * Like {@link get} without the block list (`blocks: null`): the scanner's fast path reads one
   * row per file, and parsing block lists there would dominate a rescan.
   */
  getLite(tree: TreeName, path: string): TreeNode | undefined {
    const r = this.st(`SELECT path, kind, ns, id, rev, hash, size, mtime, inode, executable, NULL AS blocks, device, ctime, hashed_at FROM ${tree} WHERE path = ?`).get(path) as RawNode | undefined;
    return r ? toNode(r) : undefined;
  }

  /**
   * The direct children of folder `folder` (`""` = the root) in `tree`, by name, as
   * {@link getLite} returns them (no block lists). One range query per folder instead of one
   * lookup per entry: SQLite walks the folder's subtree range but keeps only rows without a
   * further `/` (≈ 0.1 µs a row in C), so a rescan pays ≈ tree depth × rows in C and one JS
   * object per child — about a fifth of the per-file lookups' cost.
   */
  childrenLite(tree: TreeName, folder: string): Map<string, TreeNode> {
    const out = new Map<string, TreeNode>();
    const cols = 'path, kind, ns, id, rev, hash, size, mtime, inode, executable, NULL AS blocks, device, ctime, hashed_at';
    const rows =
      folder === ''
        ? (this.st(`SELECT ${cols} FROM ${tree} WHERE instr(path, '/') = 0`).all() as RawNode[])
        : // Bounds: every path inside `folder/` sorts between `folder/` and `folder0` ('0' follows
          // '/') under SQLite's byte order, astral characters included. substr/length count
          // characters the same way on both sides.
          (this.st(`SELECT ${cols} FROM ${tree} WHERE path > ? AND path < ? AND instr(substr(path, length(?) + 2), '/') = 0`).all(
            `${folder}/`,
            `${folder}0`,
            folder,
          ) as RawNode[]);
    const skip = folder === '' ? 0 : folder.length + 1;
    for (const r of rows) out.set(r.path.slice(skip), toNode(r));
    return out;
  }

  /** Paths of `tree` at or under `path` (`""` = every path). */
  paths(tree: TreeName, path: string): string[] {
    if (path === '') return (this.st(`SELECT path FROM ${tree}`).all() as Array<{ path: string }>).map((r) => r.path);
    const [lo, hi] = prefixRange(path);
    return (this.st(`SELECT path FROM ${tree} WHERE path = ? OR (path >= ? AND path < ?)`).all(path, lo, hi) as Array<{ path: string }>).map((r) => r.path);
  }

  /**
   * Files of the merge base at or under `path` whose inode the merge base also holds at a path
   * outside it: their content is committed there too (a move into another namespace is an
   * upload at the new path plus a delete at the old one, D28). Uses the `synced (inode)` index.
   */
  movedOut(path: string): number {
    const [lo, hi] = prefixRange(path);
    const row = this.st(
      `SELECT count(*) AS n FROM synced a WHERE a.kind = 'file' AND a.inode IS NOT NULL AND (a.path = @p OR (a.path >= @lo AND a.path < @hi))
         AND EXISTS (SELECT 1 FROM synced b WHERE b.inode = a.inode AND b.kind = 'file' AND NOT (b.path = @p OR (b.path >= @lo AND b.path < @hi)))`,
    ).get({ p: path, lo, hi }) as { n: number };
    return row.n;
  }

  /** Which of `hashes` (content hashes) some file of the remote tree has. One scan of the tree. */
  remoteHasContent(hashes: ReadonlySet<string>): Set<string> {
    const out = new Set<string>();
    if (hashes.size === 0) return out;
    for (const r of this.st(`SELECT hash FROM remote WHERE kind = 'file' AND hash IS NOT NULL`).iterate() as Iterable<{ hash: string }>) {
      if (hashes.has(r.hash)) out.add(r.hash);
    }
    return out;
  }

  /** The whole of `tree` as a Map by path. */
  all(tree: TreeName): Map<string, TreeNode> {
    const out = new Map<string, TreeNode>();
    for (const r of this.st(`SELECT * FROM ${tree}`).iterate() as Iterable<RawNode>) out.set(r.path, toNode(r));
    return out;
  }

  /**
   * The three trees restricted to the paths where remote or local differ from the merge base
   * (plus everything at or under `alsoUnder`, e.g. excluded folders). Planning on this set
   * gives the same ops as planning on the whole trees (see planner.ts `restrictToChanged`)
   * at a cost proportional to the changes, not to the tree: SQLite finds the differing rows
   * by primary-key lookups.
   */
  changedTrees(alsoUnder: readonly string[] = []): { remote: Map<string, TreeNode>; local: Map<string, TreeNode>; synced: Map<string, TreeNode> } {
    const rows = this.st(`
      SELECT l.path FROM local l LEFT JOIN synced s ON s.path = l.path
        WHERE s.path IS NULL OR s.kind != l.kind OR (l.kind = 'file' AND (s.hash IS NOT l.hash OR s.executable != l.executable))
      UNION SELECT s.path FROM synced s LEFT JOIN local l ON l.path = s.path WHERE l.path IS NULL
      UNION SELECT r.path FROM remote r LEFT JOIN synced s ON s.path = r.path
        WHERE s.path IS NULL OR s.kind != r.kind OR s.id IS NOT r.id OR (r.kind = 'file' AND s.rev IS NOT r.rev)
      UNION SELECT s.path FROM synced s LEFT JOIN remote r ON r.path = s.path WHERE r.path IS NULL`).all() as Array<{ path: string }>;
    const paths = new Set(rows.map((r) => r.path));
    for (const prefix of alsoUnder) for (const t of TREES) for (const n of this.subtree(t, prefix)) paths.add(n.path);
    const out = { remote: new Map<string, TreeNode>(), local: new Map<string, TreeNode>(), synced: new Map<string, TreeNode>() };
    for (const p of paths) {
      for (const t of TREES) {
        const n = this.get(t, p);
        if (n) out[t].set(p, n);
      }
    }
    return out;
  }

  /** Nodes of `tree` at or under `path` (`""` = everything). */
  subtree(tree: TreeName, path: string): TreeNode[] {
    if (path === '') return [...this.all(tree).values()];
    const [lo, hi] = prefixRange(path);
    const rows = this.st(`SELECT * FROM ${tree} WHERE path = ? OR (path >= ? AND path < ?) ORDER BY path`).all(path, lo, hi) as RawNode[];
    return rows.map(toNode);
  }

  /** Number of rows of `tree` (files only with `filesOnly`). */
  count(tree: TreeName, filesOnly = false): number {
    const sql = filesOnly ? `SELECT count(*) AS n FROM ${tree} WHERE kind = 'file'` : `SELECT count(*) AS n FROM ${tree}`;
    return (this.st(sql).get() as { n: number }).n;
  }

  /** Inserts or replaces one node of `tree`. */
  put(tree: TreeName, n: TreeNode): void {
    this.st(
      `INSERT OR REPLACE INTO ${tree} (path, kind, ns, id, rev, hash, size, mtime, inode, executable, blocks, device, ctime, hashed_at)
       VALUES (@path, @kind, @ns, @id, @rev, @hash, @size, @mtime, @inode, @executable, @blocks, @device, @ctime, @hashed_at)`,
    ).run({
      path: n.path, kind: n.kind, ns: n.ns, id: n.id, rev: n.rev, hash: n.hash, size: n.size, mtime: n.mtime, inode: n.inode,
      device: n.device ?? null, executable: n.executable ? 1 : 0, blocks: n.blocks === null ? null : JSON.stringify(n.blocks),
      ctime: n.ctime ?? null, hashed_at: n.hashedAt ?? null,
    });
  }

  /**
   * Writes one merge-base (synced) node. An entry id lives at one path only: any other synced
   * row holding `n.id` loses it first (chaos findings #3/#4: a stale row left behind by racing
   * folder moves made the planner read one entry at two paths).
   */
  putSynced(n: TreeNode): void {
    this.tx(() => {
      if (n.id !== null) this.st('UPDATE synced SET id = NULL WHERE id = ? AND path != ?').run(n.id, n.path);
      this.put('synced', n);
    });
  }

  /** Removes the node at `path` only. */
  remove(tree: TreeName, path: string): void {
    this.st(`DELETE FROM ${tree} WHERE path = ?`).run(path);
  }

  /** Removes the node at `path` and everything under it. */
  removeSubtree(tree: TreeName, path: string): void {
    if (path === '') {
      this.st(`DELETE FROM ${tree}`).run();
      return;
    }
    const [lo, hi] = prefixRange(path);
    this.st(`DELETE FROM ${tree} WHERE path = ? OR (path >= ? AND path < ?)`).run(path, lo, hi);
  }

  /**
   * Moves the node at `from` and its subtree to `to` (paths rewritten), replacing anything
   * that was at the target paths.
   */
  moveSubtree(tree: TreeName, from: string, to: string): void {
    if (from === to) return;
    this.tx(() => {
      const nodes = this.subtree(tree, from);
      this.removeSubtree(tree, from);
      for (const n of nodes) {
        const p = n.path === from ? to : `${to}${n.path.slice(from.length)}`;
        this.put(tree, { ...n, path: p });
      }
    });
  }

  /**
   * Forgets the inodes of `tree` rows at or under `path`: used when the local item there was
   * set aside (renamed to a conflicted copy), so the rename is never read as a user's move.
   */
  clearInodes(tree: TreeName, path: string): void {
    const [lo, hi] = prefixRange(path);
    this.st(`UPDATE ${tree} SET inode = NULL WHERE path = ? OR (path >= ? AND path < ?)`).run(path, lo, hi);
  }

  // ---- block index --------------------------------------------------------------------

  /** Replaces the indexed blocks of the local file `path` (offsets in bytes). */
  setBlocks(path: string, blocks: ReadonlyArray<{ hash: string; offset: number; length: number }>): void {
    this.tx(() => {
      this.st('DELETE FROM block_index WHERE path = ?').run(path);
      const ins = this.st('INSERT INTO block_index (hash, path, offset, length) VALUES (?, ?, ?, ?)');
      for (const b of blocks) ins.run(b.hash, path, b.offset, b.length);
    });
  }

  /** Drops the block index rows of `path` and (with `subtree`) of everything under it. */
  dropBlocks(path: string, subtree = false): void {
    this.st('DELETE FROM block_index WHERE path = ?').run(path);
    if (subtree) {
      const [lo, hi] = prefixRange(path);
      this.st('DELETE FROM block_index WHERE path >= ? AND path < ?').run(lo, hi);
    }
  }

  /** Rewrites block index paths after a local move of `from` (and its subtree) to `to`. */
  moveBlocks(from: string, to: string): void {
    const [lo, hi] = prefixRange(from);
    this.st('UPDATE block_index SET path = ? || substr(path, ?) WHERE path = ? OR (path >= ? AND path < ?)').run(
      to,
      from.length + 1,
      from,
      lo,
      hi,
    );
  }

  /** The indexed blocks of local file `path`, in file order. */
  blocksOf(path: string): Array<{ hash: string; offset: number; length: number }> {
    return this.st('SELECT hash, offset, length FROM block_index WHERE path = ? ORDER BY offset').all(path) as Array<{ hash: string; offset: number; length: number }>;
  }

  /**
   * Local places holding block `hash` (possibly stale: callers verify the bytes, or the stat in
   * `file`, see {@link BlockLocation}).
   */
  findBlock(hash: string): BlockLocation[] {
    const rows = this.st(
      `SELECT b.path, b.offset, b.length, l.path AS lpath, l.inode, l.size, l.mtime, l.ctime, l.hashed_at
       FROM block_index b LEFT JOIN local l ON l.path = b.path AND l.kind = 'file' WHERE b.hash = ? LIMIT 4`,
    ).all(hash) as Array<{ path: string; offset: number; length: number; lpath: string | null; inode: number | null; size: number; mtime: number; ctime: number | null; hashed_at: number | null }>;
    return rows.map((r) => ({
      path: r.path,
      offset: r.offset,
      length: r.length,
      file: r.lpath === null ? null : { inode: r.inode, size: r.size, mtime: r.mtime, ctime: r.ctime, hashedAt: r.hashed_at },
    }));
  }

  // ---- meta and settings --------------------------------------------------------------

  /** A JSON value stored under `key`, or `fallback`. */
  getMeta<T>(key: string, fallback: T): T {
    const r = this.st('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as T) : fallback;
  }

  setMeta(key: string, value: unknown): void {
    if (value === undefined) this.st('DELETE FROM meta WHERE key = ?').run(key);
    else this.st('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, JSON.stringify(value));
  }

  // ---- durable op log -----------------------------------------------------------------

  /** Records that an operation starts; returns its id. */
  opBegin(kind: string, path: string, payload: unknown): number {
    const r = this.st('INSERT INTO ops (kind, path, payload, started_at) VALUES (?, ?, ?, ?)').run(
      kind,
      path,
      JSON.stringify(payload ?? null),
      Date.now(),
    );
    return Number(r.lastInsertRowid);
  }

  /** Records that operation `id` finished (successfully or not). */
  opEnd(id: number): void {
    this.st('DELETE FROM ops WHERE id = ?').run(id);
  }

  /** Operations that were started and never finished (a crash happened), oldest first. */
  opsPending(): OpRow[] {
    const rows = this.st('SELECT * FROM ops ORDER BY id').all() as Array<Omit<OpRow, 'payload'> & { payload: string }>;
    return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
  }

  // ---- activity and issues ------------------------------------------------------------

  /** Appends an activity line; keeps the newest 5,000. Returns the stored row. */
  logActivity(a: Omit<ActivityRow, 'id' | 'time'> & { time?: number }): ActivityRow {
    const time = a.time ?? Date.now();
    const r = this.st('INSERT INTO activity (time, path, action, device_name, detail) VALUES (?, ?, ?, ?, ?)').run(
      time,
      a.path,
      a.action,
      a.device_name,
      a.detail,
    );
    const id = Number(r.lastInsertRowid);
    if (id % 500 === 0) this.st('DELETE FROM activity WHERE id <= ?').run(id - 5000);
    return { id, time, path: a.path, action: a.action, device_name: a.device_name, detail: a.detail };
  }

  /** Newest activity first. */
  activity(limit: number): ActivityRow[] {
    return this.st('SELECT * FROM activity ORDER BY id DESC LIMIT ?').all(limit) as ActivityRow[];
  }

  /** Records (or refreshes) an issue for `path` and `code`. */
  setIssue(i: Omit<IssueRow, 'since'>): void {
    this.st(
      `INSERT INTO issues (path, code, message, action, since) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (path, code) DO UPDATE SET message = excluded.message, action = excluded.action`,
    ).run(i.path, i.code, i.message, i.action, Date.now());
  }

  /** Clears issues of `path` (all codes, or one). */
  clearIssue(path: string, code?: string): void {
    if (code) this.st('DELETE FROM issues WHERE path = ? AND code = ?').run(path, code);
    else this.st('DELETE FROM issues WHERE path = ?').run(path);
  }

  /** Clears every issue whose code is in `codes` (e.g. before a full rescan reports anew). */
  clearIssuesByCode(codes: readonly string[]): void {
    const del = this.st('DELETE FROM issues WHERE code = ?');
    for (const c of codes) del.run(c);
  }

  issues(): IssueRow[] {
    return this.st('SELECT * FROM issues ORDER BY path, code').all() as IssueRow[];
  }

  // ---- integrity ----------------------------------------------------------------------

  /**
   * Checks the DB file and the engine's invariants; returns a list of problems (empty = ok):
   * SQLite `integrity_check`; every tree node's parent folder present in the same tree;
   * files have content hashes in the synced tree; no two synced/remote paths collide in id.
   */
  integrityCheck(): string[] {
    const problems: string[] = [];
    const ic = this.db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    if (ic[0]?.integrity_check !== 'ok') problems.push(`sqlite: ${ic.map((r) => r.integrity_check).join('; ')}`);
    const v = this.db.pragma('user_version', { simple: true }) as number;
    if (v !== SCHEMA_VERSION) problems.push(`schema version ${v} != ${SCHEMA_VERSION}`);
    for (const tree of TREES) {
      const nodes = this.all(tree);
      for (const n of nodes.values()) {
        const slash = n.path.lastIndexOf('/');
        if (slash > 0) {
          const parent = nodes.get(n.path.slice(0, slash));
          if (!parent || parent.kind !== 'folder') problems.push(`${tree}: ${n.path} has no parent folder`);
        }
        if (tree !== 'local' && n.kind === 'file' && !n.hash) problems.push(`${tree}: file ${n.path} has no content hash`);
      }
      if (tree !== 'local') {
        const ids = new Map<string, string>();
        for (const n of nodes.values()) {
          if (!n.id) continue;
          const other = ids.get(n.id);
          if (other !== undefined) problems.push(`${tree}: id ${n.id} at both ${other} and ${n.path}`);
          ids.set(n.id, n.path);
        }
      }
    }
    return problems;
  }
}

/** True when `path` is `prefix` or inside it (re-exported for callers of the DB). */
export { isInside };

/** @throws CairnError `internal` — helper for impossible states found in the DB. */
export function corrupt(what: string): never {
  throw new CairnError('internal', `state DB: ${what}`);
}
