/**
 * Planner: a pure function of the three trees (remote, local, synced = merge base) →
 * operations. No I/O; unit- and property-tested on its own.
 *
 * A three-way merge per path (the classic file-synchroniser scheme, as in Unison and
 * Dropbox's "Nucleus" three-tree design): a side "changed" when it differs from the merge
 * base; a change on one side is carried to the other; changes on both sides that agree are
 * adopted; changes that disagree become a conflicted copy (the local version is renamed
 * aside, the remote one downloaded, and the copy uploaded in a later round). Deletes never
 * win over edits: a delete is only carried when the other side still equals the merge base,
 * and the executor re-checks that on disk / with `parent_rev` on the server.
 *
 * Moves are planned first and alone: when any move is found, the plan holds only moves and
 * the caller applies them and plans again (the trees are then rebased, so the rest of the
 * diff is computed on moved paths). Moves are found by the stable server entry id (remote)
 * and by the inode (local); only the outermost moved folder is moved.
 */
import { isInside, parentPath } from '../../../src-shared/paths.ts';
import type { TreeNode, Trees } from '../model.ts';

/** One planned operation. Paths are sync-root-relative. */
export type Op =
  /** Commit the local file at `path`; `parentRev` null = the path must be free on the server. */
  | { type: 'upload'; path: string; parentRev: string | null; local: TreeNode }
  /** Write `remote` at `path`; `expect` is the local node it may replace (null: nothing there). */
  | { type: 'download'; path: string; remote: TreeNode; expect: TreeNode | null }
  | { type: 'mkdirLocal'; path: string; remote: TreeNode }
  | { type: 'mkdirRemote'; path: string; local: TreeNode }
  /** Rename locally (the server moved the entry). `local` is the node expected at `from`. */
  | { type: 'moveLocal'; from: string; to: string; local: TreeNode }
  /** Move on the server (the user moved it locally). */
  | { type: 'moveRemote'; from: string; to: string; kind: 'file' | 'folder' }
  /**
   * Remove locally, only if the disk still matches `expect`. `reason` 'excluded' = selective
   * sync. `moved` (set by the engine): of its `files`, those whose content the server still
   * holds at another path (moved into another namespace elsewhere); the guard skips them.
   */
  | { type: 'deleteLocal'; path: string; expect: TreeNode; reason: 'remote' | 'excluded'; files: number; moved?: number }
  /**
   * Delete on the server; files carry `parentRev` so an edit there makes it fail. `moved` (set
   * by the engine, not the planner): of its `files`, those already committed elsewhere — the
   * delete is the second half of a move into another namespace (D28); the guard skips them.
   */
  | { type: 'deleteRemote'; path: string; kind: 'file' | 'folder'; parentRev: string | null; files: number; moved?: number }
  /** Both sides changed the path differently: rename the local version to a conflicted copy. */
  | { type: 'conflict'; path: string; local: TreeNode; remote: TreeNode }
  /** Both sides agree: record the merge base. */
  | { type: 'adopt'; path: string; remote: TreeNode; local: TreeNode }
  /** Both sides gone (or excluded and gone locally): drop the merge base. */
  | { type: 'forget'; path: string };

/** Options of {@link plan}. */
export interface PlanOptions {
  /** Ignore rules: ignored paths are left alone on both sides. */
  isIgnored?: (path: string, isFolder: boolean) => boolean;
  /** Selective sync: true for paths inside an excluded folder. */
  isExcluded?: (path: string) => boolean;
  /**
   * Namespace a path is written to (shared folders, D28). A local move is a server move only
   * within one namespace; across, it is planned as an upload plus a delete. Default: one.
   */
  nsOf?: (path: string) => string;
  /**
   * True inside a shared folder where this account is a viewer: nothing there is written to
   * the server. A local edit of a file the server has is set aside as a conflicted copy (and
   * the server's version comes back), a local delete is undone, and what exists only locally
   * is held on this device (reported through `onHeld`).
   */
  isReadOnly?: (path: string) => boolean;
  /** True when a shared folder is mounted at or below `path` (it can never move into another namespace). */
  hasMount?: (path: string) => boolean;
  /**
   * Called for each local path held on this device: `read_only` inside a viewer's folder (see
   * `isReadOnly`), `nested_share` for a shared folder moved into another namespace (shared
   * folders do not nest; the move is neither uploaded nor carried out on the server).
   */
  onHeld?: (path: string, reason: 'read_only' | 'nested_share') => void;
  /**
   * Paths of moves waiting out a back-off (the server keeps refusing them): left alone on both
   * sides this round like ignored paths, and the folders holding them are not deleted, so the
   * rest of the diff is planned and runs instead of waiting behind the move.
   */
  deferred?: (path: string) => boolean;
}

/**
 * The trees restricted to the paths where a side differs from the merge base, plus
 * everything under `alsoUnder` — the reference for StateDb.changedTrees. Planning on it
 * equals planning on the whole trees (property-tested).
 */
export function restrictToChanged(t: Trees, alsoUnder: readonly string[] = []): Trees {
  const keep = new Set<string>();
  for (const p of new Set([...t.local.keys(), ...t.remote.keys(), ...t.synced.keys()])) {
    const s = t.synced.get(p);
    if (!sameLocal(t.local.get(p), s) || !sameRemote(t.remote.get(p), s) || alsoUnder.some((e) => isInside(p, e))) keep.add(p);
  }
  const pick = (m: Map<string, TreeNode>): Map<string, TreeNode> => new Map([...m].filter(([p]) => keep.has(p)));
  return { remote: pick(t.remote), local: pick(t.local), synced: pick(t.synced) };
}

function sameLocal(l: TreeNode | undefined, s: TreeNode | undefined): boolean {
  if (!l || !s) return !l && !s;
  if (l.kind !== s.kind) return false;
  if (l.kind === 'folder') return true;
  return l.hash === s.hash && l.executable === s.executable;
}

function sameRemote(r: TreeNode | undefined, s: TreeNode | undefined): boolean {
  if (!r || !s) return !r && !s;
  if (r.kind !== s.kind) return false;
  // A folder re-created on the server (new id) is "changed" so the merge base takes its id:
  // a stale id there would later read as a move.
  if (r.kind === 'folder') return r.id === s.id;
  return r.id === s.id && r.rev === s.rev;
}

function depth(p: string): number {
  return p === '' ? 0 : p.split('/').length;
}

/** Files at or under `p` in `tree` (1 for a file). */
function filesUnder(tree: Map<string, TreeNode>, p: string, kind: 'file' | 'folder'): number {
  if (kind === 'file') return 1;
  let n = 0;
  for (const [q, v] of tree) if (v.kind === 'file' && isInside(q, p)) n++;
  return n;
}

/** Finds moves; see the module comment. Returns [] when there are none. */
export function planMoves(t: Trees, opts: PlanOptions = {}): Op[] {
  const ignored = (p: string, folder: boolean): boolean => opts.isIgnored?.(p, folder) ?? false;
  const remoteById = new Map<string, TreeNode>();
  for (const r of t.remote.values()) if (r.id) remoteById.set(r.id, r);
  const localByInode = new Map<number, TreeNode>();
  for (const l of t.local.values()) if (l.inode !== null) localByInode.set(l.inode, l);

  const found: Op[] = [];
  const synced = [...t.synced.values()].sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : 1));
  const taken: Array<[string, string]> = [];
  const covered = (p: string): boolean => taken.some(([from, to]) => isInside(p, from) || isInside(p, to));
  const deferred = (p: string): boolean => opts.deferred?.(p) ?? false;
  for (const s of synced) {
    if (covered(s.path) || ignored(s.path, s.kind === 'folder') || deferred(s.path)) continue;
    // Excluded paths (selective sync) move like any others: a local copy still on disk (it
    // holds unsynced work, or is not removed yet) follows its server entry into, out of or
    // within an excluded folder — a case-only rename of the excluded folder itself included —
    // and a local move there is a server move; per-path planning then uploads what is
    // unsynced at the right place and removes what is excluded (D39).
    const writable = (from: string, to: string): boolean =>
      !opts.isReadOnly?.(from) && !opts.isReadOnly?.(to) && (opts.nsOf?.(from) ?? '') === (opts.nsOf?.(to) ?? '');
    // Remote move: the server entry with this id now lives elsewhere; the local one is in place.
    const r = s.id ? remoteById.get(s.id) : undefined;
    const l = t.local.get(s.path);
    if (r && r.path !== s.path && r.kind === s.kind && l && l.kind === s.kind && (s.inode === null || l.inode === s.inode)) {
      if (!t.local.has(r.path) && !covered(r.path) && !ignored(r.path, r.kind === 'folder') && !deferred(r.path)) {
        found.push({ type: 'moveLocal', from: s.path, to: r.path, local: l });
        taken.push([s.path, r.path]);
        continue;
      }
      // A blocked folder move: its children must not be moved one by one into a tree that is
      // not there (or is something else); they are planned per path with the rest.
      if (s.kind === 'folder') {
        taken.push([s.path, r.path]);
        continue;
      }
    }
    // Local move: the inode of the merge base now lives at a new path; the server entry is in place.
    if (s.inode === null) continue;
    const moved = localByInode.get(s.inode);
    const here = t.remote.get(s.path);
    if (!moved || moved.path === s.path || moved.kind !== s.kind) continue;
    if (l && l.inode === s.inode) continue;
    if (!here || here.id !== s.id || here.kind !== s.kind) continue;
    if (t.synced.has(moved.path) || t.remote.has(moved.path) || covered(moved.path)) continue;
    if (ignored(moved.path, moved.kind === 'folder') || deferred(moved.path)) continue;
    // Across namespaces, or in a read-only folder, the server cannot move it: per-path planning
    // uploads it at the new path and deletes (or, read-only, restores) the old one.
    if (!writable(s.path, moved.path)) continue;
    found.push({ type: 'moveRemote', from: s.path, to: moved.path, kind: s.kind });
    taken.push([s.path, moved.path]);
  }
  return found;
}

/**
 * Plans one round. When moves exist, returns only them (apply, then plan again).
 * Otherwise returns the per-path operations in execution order: conflicts, folder
 * creations (outermost first), transfers, adopt/forget, deletes (innermost first).
 */
export function plan(t: Trees, opts: PlanOptions = {}): Op[] {
  const moves = planMoves(t, opts);
  if (moves.length > 0) return moves;

  const ignored = (p: string, folder: boolean): boolean => opts.isIgnored?.(p, folder) ?? false;
  const excluded = (p: string): boolean => opts.isExcluded?.(p) ?? false;
  const paths = new Set<string>([...t.remote.keys(), ...t.local.keys(), ...t.synced.keys()]);
  const ops: Op[] = [];
  // Paths whose subtree must not be deleted wholesale because something under them survives.
  const keepParents = new Set<string>();
  const keep = (p: string): void => {
    for (let q = parentPath(p); q !== ''; q = parentPath(q)) keepParents.add(q);
  };

  for (const p of paths) {
    const L = t.local.get(p);
    const R = t.remote.get(p);
    const S = t.synced.get(p);
    const kindHint = (L ?? R ?? S)?.kind === 'folder';
    if (ignored(p, kindHint)) continue;
    if (opts.deferred?.(p)) {
      keep(p);
      continue;
    }
    const lc = !sameLocal(L, S);
    const rc = !sameRemote(R, S);

    if (excluded(p)) {
      if (L && lc && L.kind === 'file' && R && R.kind === 'file' && R.hash === L.hash) {
        ops.push({ type: 'adopt', path: p, remote: R, local: L }); // the server already has it
      } else if (L && lc && L.kind === 'file') {
        // Unsynced local work inside an excluded folder is uploaded before anything is removed.
        ops.push(R && R.kind === 'file' && !rc ? { type: 'upload', path: p, parentRev: R.rev, local: L } : R ? { type: 'conflict', path: p, local: L, remote: R } : { type: 'upload', path: p, parentRev: null, local: L });
        keep(p);
      } else if (L && lc && L.kind === 'folder' && !R) {
        ops.push({ type: 'mkdirRemote', path: p, local: L });
        keep(p);
      } else if (L && lc && L.kind === 'folder' && R && R.kind === 'folder') {
        ops.push({ type: 'adopt', path: p, remote: R, local: L });
        keep(p);
      } else if (L && !lc) {
        ops.push({ type: 'deleteLocal', path: p, expect: L, reason: 'excluded', files: L.kind === 'file' ? 1 : 0 });
      } else if (!L && S) {
        ops.push({ type: 'forget', path: p });
      } else if (L) {
        keep(p);
      }
      continue;
    }

    if (!lc && !rc) continue;
    if (lc && !rc) {
      if (!L) {
        if (R) ops.push({ type: 'deleteRemote', path: p, kind: R.kind, parentRev: R.kind === 'file' ? R.rev : null, files: filesUnder(t.synced, p, R.kind) });
        else ops.push({ type: 'forget', path: p });
      } else if (R && R.kind !== L.kind) {
        ops.push({ type: 'deleteRemote', path: p, kind: R.kind, parentRev: R.kind === 'file' ? R.rev : null, files: filesUnder(t.synced, p, R.kind) });
        keep(p);
      } else if (L.kind === 'file') {
        ops.push({ type: 'upload', path: p, parentRev: R?.rev ?? null, local: L });
        keep(p);
      } else if (!R) {
        ops.push({ type: 'mkdirRemote', path: p, local: L });
        keep(p);
      } else {
        ops.push({ type: 'adopt', path: p, remote: R, local: L });
        keep(p);
      }
      continue;
    }
    if (rc && !lc) {
      if (!R) {
        if (L) ops.push({ type: 'deleteLocal', path: p, expect: L, reason: 'remote', files: L.kind === 'file' ? 1 : 0 });
        else ops.push({ type: 'forget', path: p });
      } else if (L && L.kind !== R.kind) {
        ops.push({ type: 'deleteLocal', path: p, expect: L, reason: 'remote', files: L.kind === 'file' ? 1 : 0 });
        keep(p);
      } else if (R.kind === 'file') {
        ops.push({ type: 'download', path: p, remote: R, expect: L ?? null });
        keep(p);
      } else if (!L) {
        ops.push({ type: 'mkdirLocal', path: p, remote: R });
        keep(p);
      } else {
        ops.push({ type: 'adopt', path: p, remote: R, local: L });
        keep(p);
      }
      continue;
    }
    // Both sides changed.
    keep(p);
    if (!L && !R) ops.push({ type: 'forget', path: p });
    else if (!L && R) ops.push(R.kind === 'file' ? { type: 'download', path: p, remote: R, expect: null } : { type: 'mkdirLocal', path: p, remote: R });
    else if (L && !R) ops.push(L.kind === 'file' ? { type: 'upload', path: p, parentRev: null, local: L } : { type: 'mkdirRemote', path: p, local: L });
    else if (L && R) {
      if (L.kind === 'folder' && R.kind === 'folder') ops.push({ type: 'adopt', path: p, remote: R, local: L });
      else if (L.kind === 'file' && R.kind === 'file' && L.hash === R.hash) ops.push({ type: 'adopt', path: p, remote: R, local: L });
      else ops.push({ type: 'conflict', path: p, local: L, remote: R });
    }
  }

  // A folder delete removes its subtree in one step only when nothing under it survives;
  // then the deletes under it are implied and dropped.
  const folderDeletes = new Set<string>();
  const filtered: Op[] = [];
  for (const op of ops) {
    if ((op.type === 'deleteRemote' || op.type === 'deleteLocal') && (op.type === 'deleteRemote' ? op.kind : op.expect.kind) === 'folder') {
      if (keepParents.has(op.path)) continue; // the folder stays (with what survives in it)
      folderDeletes.add(`${op.type}:${op.path}`);
    }
    filtered.push(op);
  }
  const impliedBy = (op: Op): boolean => {
    if (op.type !== 'deleteRemote' && op.type !== 'deleteLocal') return false;
    for (let q = parentPath(op.path); q !== ''; q = parentPath(q)) if (folderDeletes.has(`${op.type}:${q}`)) return true;
    return false;
  };
  // Local deletes under a deleted folder stay: each file is checked on disk before removal.
  let kept = filtered.filter((op) => op.type !== 'deleteRemote' || !impliedBy(op));
  kept = crossNamespaceMoves(t, opts, kept, filtered);
  if (!opts.isReadOnly) return order(kept);
  const out: Op[] = [];
  for (const op of kept) {
    const p = 'path' in op ? op.path : op.from;
    const ro = readOnlyOp(op, t);
    if (!opts.isReadOnly(p) || ro === op) out.push(op);
    else if (ro) out.push(ro);
    else opts.onHeld?.(p, 'read_only');
  }
  // A folder delete undone in a read-only namespace: what it implied comes back too.
  const restored: string[] = [];
  for (const o of kept) if (o.type === 'deleteRemote' && o.kind === 'folder' && opts.isReadOnly(o.path)) restored.push(o.path);
  if (restored.length > 0) {
    for (const op of filtered) {
      if (op.type === 'deleteRemote' && impliedBy(op) && restored.some((f) => isInside(op.path, f))) {
        const ro = readOnlyOp(op, t);
        if (ro) out.push(ro);
      }
    }
  }
  return order(out);
}

/**
 * Local moves the server cannot carry out as one move — across namespaces, or into or out of
 * a read-only folder — were planned per path as uploads at the new place plus deletes at the
 * old one. Those deletes must never run before the content is safe elsewhere:
 * - target writable: the source's deletes wait until everything at the target is synced (an
 *   upload refused for quota, a name clash… leaves the source in place on the server);
 * - target read-only (a viewer's folder): nothing can be uploaded there, so the source comes
 *   back (downloaded again) and the moved copy is held on this device;
 * - a shared folder (or a folder holding one) moved into another namespace: shared folders do
 *   not nest, so nothing of the move is carried out; the moved copy is held and reported.
 * Found by matching merge-base inodes with local inodes, outermost moves only.
 */
function crossNamespaceMoves(t: Trees, opts: PlanOptions, kept: Op[], all: Op[]): Op[] {
  if (!opts.nsOf && !opts.isReadOnly) return kept;
  const writable = (from: string, to: string): boolean =>
    !opts.isReadOnly?.(from) && !opts.isReadOnly?.(to) && (opts.nsOf?.(from) ?? '') === (opts.nsOf?.(to) ?? '');
  const localByInode = new Map<number, TreeNode>();
  for (const l of t.local.values()) if (l.inode !== null) localByInode.set(l.inode, l);
  const moves: Array<{ from: string; to: string }> = [];
  const synced = [...t.synced.values()].sort((a, b) => depth(a.path) - depth(b.path));
  for (const s of synced) {
    if (s.inode === null || moves.some((m) => isInside(s.path, m.from))) continue;
    const moved = localByInode.get(s.inode);
    if (!moved || moved.path === s.path || moved.kind !== s.kind || t.local.get(s.path)?.inode === s.inode) continue;
    if (!writable(s.path, moved.path)) moves.push({ from: s.path, to: moved.path });
  }
  if (moves.length === 0) return kept;
  const opPathOf = (o: Op): string => ('path' in o ? o.path : o.from);
  const drop = new Set<Op>();
  const add: Op[] = [];
  for (const m of moves) {
    if (opts.hasMount?.(m.from) && (opts.nsOf?.(m.from) ?? '') !== (opts.nsOf?.(m.to) ?? '')) {
      for (const o of kept) if (isInside(opPathOf(o), m.from) || isInside(opPathOf(o), m.to)) drop.add(o);
      opts.onHeld?.(m.to, 'nested_share');
      continue;
    }
    const restore = opts.isReadOnly?.(m.to) ?? false;
    const targetSynced = ![...t.local.values()].some((l) => isInside(l.path, m.to) && !sameLocal(l, t.synced.get(l.path)));
    if (!restore && targetSynced) continue;
    for (const o of kept) if (o.type === 'deleteRemote' && isInside(o.path, m.from)) drop.add(o);
    if (!restore) continue;
    for (const o of all) {
      if (o.type !== 'deleteRemote' || !isInside(o.path, m.from)) continue;
      const R = t.remote.get(o.path);
      if (R && !t.local.has(o.path)) add.push(R.kind === 'file' ? { type: 'download', path: o.path, remote: R, expect: null } : { type: 'mkdirLocal', path: o.path, remote: R });
    }
  }
  return [...kept.filter((o) => !drop.has(o)), ...add];
}

/**
 * What an op becomes inside a read-only (viewer) namespace: the op itself when it writes
 * nothing to the server, a local op that puts the server's state back, or null when the
 * local item is simply held on this device.
 */
function readOnlyOp(op: Op, t: Trees): Op | null {
  const p = 'path' in op ? op.path : op.from;
  const R = t.remote.get(p);
  const L = t.local.get(p);
  switch (op.type) {
    case 'upload':
      // An edit of a file the server has: keep the edit as a conflicted copy, get theirs back.
      return R && R.kind === 'file' && L ? { type: 'conflict', path: p, local: L, remote: R } : null;
    case 'mkdirRemote':
      return null;
    case 'deleteRemote':
      if (!R) return null;
      if (L && L.kind !== R.kind) return { type: 'conflict', path: p, local: L, remote: R };
      if (L) return null;
      return R.kind === 'file' ? { type: 'download', path: p, remote: R, expect: null } : { type: 'mkdirLocal', path: p, remote: R };
    case 'moveRemote':
      return null; // never planned here (planMoves), kept for exhaustiveness
    default:
      return op;
  }
}

const RANK: Record<Op['type'], number> = {
  moveLocal: 0,
  moveRemote: 0,
  conflict: 1,
  mkdirLocal: 2,
  mkdirRemote: 2,
  upload: 3,
  download: 3,
  adopt: 4,
  forget: 4,
  deleteLocal: 5,
  deleteRemote: 5,
};

function opPath(op: Op): string {
  return 'path' in op ? op.path : op.from;
}

/** Sorts ops for execution: by rank, folders outermost first, deletes innermost first. */
export function order(ops: Op[]): Op[] {
  return ops.sort((a, b) => {
    const r = RANK[a.type] - RANK[b.type];
    if (r !== 0) return r;
    const d = depth(opPath(a)) - depth(opPath(b));
    const isDelete = a.type === 'deleteLocal' || a.type === 'deleteRemote';
    if (d !== 0) return isDelete ? -d : d;
    return opPath(a) < opPath(b) ? -1 : opPath(a) > opPath(b) ? 1 : 0;
  });
}

/**
 * Files a delete counts for the mass-delete guard: all it deletes, less those whose content is
 * safe elsewhere on the server (`moved`: the delete finishes a move into another namespace).
 */
export function guardedFiles(o: Extract<Op, { type: 'deleteRemote' | 'deleteLocal' }>): number {
  return Math.max(0, o.files - (o.moved ?? 0));
}

/** Thresholds of the mass-delete guard. */
export interface MassDeleteLimits {
  /** Hold when more than this many files would be deleted on one side (default 1000). */
  max: number;
  /** Hold when more than this fraction of the synced files would go (default 0.5)… */
  ratio: number;
  /** …and at least this many files (default 10), so small trees stay usable. */
  min: number;
}

export const DEFAULT_MASS_DELETE: MassDeleteLimits = { max: 1000, ratio: 0.5, min: 10 };

/** A plan that the mass-delete guard holds. `side` is where files would be deleted. */
export interface HeldDeletes {
  side: 'local' | 'remote';
  count: number;
  sample: string[];
  paths: string[];
  /** Files each held op deletes (a folder's whole subtree), by op path. */
  files: Record<string, number>;
}

/**
 * The mass-delete guard: returns the side whose deletes must wait for the user, or null.
 * Deletes caused by selective sync (reason 'excluded') do not count: they only remove local
 * copies of files the server holds. A local tree emptied of every synced file is always held
 * (a wiped or unmounted folder must never read as "the user deleted everything").
 * `recent` = files deleted on each side in the last minute (added to the count).
 */
export function massDeleteCheck(
  ops: readonly Op[],
  syncedFiles: number,
  localEntries: number,
  limits: MassDeleteLimits = DEFAULT_MASS_DELETE,
  recent: { local: number; remote: number } = { local: 0, remote: 0 },
): HeldDeletes | null {
  for (const side of ['remote', 'local'] as const) {
    const dels = ops.filter((o): o is Extract<Op, { type: 'deleteRemote' | 'deleteLocal' }> =>
      side === 'remote' ? o.type === 'deleteRemote' : o.type === 'deleteLocal' && o.reason === 'remote',
    );
    const count = dels.reduce((s, o) => s + guardedFiles(o), 0);
    if (count === 0) continue;
    // Deletes carried out moments ago count too: a big `rm -r` reaches us in several bursts.
    const total = count + recent[side];
    const emptied = side === 'remote' && localEntries === 0 && syncedFiles > 0;
    if (emptied || total > limits.max || (total > (syncedFiles + recent[side]) * limits.ratio && total >= limits.min)) {
      const paths = dels.map((o) => o.path);
      return { side, count, sample: paths.slice(0, 10), paths, files: Object.fromEntries(dels.map((o) => [o.path, o.files])) };
    }
  }
  return null;
}
