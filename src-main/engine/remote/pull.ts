/**
 * Keeps the remote tree equal to the server's journal: `changes` from the stored cursor,
 * with a snapshot of each namespace the server says to reset. The remote tree, the cursor
 * and the per-namespace seq advance in one transaction per page, so a crash never leaves a
 * cursor ahead of the tree. Every mounted namespace is synced, its paths grafted at its mount
 * point (mounts.ts), so the remote tree holds view paths only (D28).
 */
import type { Entry, Change } from '../../../src-shared/protocol/model.ts';
import { isInside, rebase } from '../../../src-shared/paths.ts';
import { cursorWithSeq } from '../../../src-shared/protocol/cursor.ts';
import { CairnError } from '../../../src-shared/errors.ts';
import { node, type TreeNode } from '../model.ts';
import { MountTable, type Mount } from '../mounts.ts';
import type { StateDb } from '../state/db.ts';
import type { RemoteClient } from './client.ts';

/** A remote-tree node from a server entry. */
export function nodeFromEntry(e: Entry): TreeNode {
  return node({
    path: e.path,
    kind: e.kind,
    ns: e.ns,
    id: e.id,
    rev: e.rev,
    hash: e.content_hash,
    size: e.size,
    mtime: e.mtime,
    executable: e.executable,
    blocks: e.kind === 'file' ? e.blocks : null,
    device: e.device_name,
  });
}

/** Result of {@link pull}. */
export interface PullResult {
  /** Journal records applied (other devices' and our own). */
  changes: Change[];
  /** True when a namespace was re-read from a snapshot. */
  reset: boolean;
}

/**
 * Writes one server entry into the remote tree (removing a stale row of the same id). When
 * another entry with children holds the path, a journal record this device has not read yet
 * moved or deleted it — the executor writes its own results before the pull reaches the
 * records in between. Where that subtree went cannot be told from here (the record will name
 * only its root), so the namespace is read again from a snapshot (meta `ns_snapshot`) rather
 * than leaving its children under the new entry (chaos finding #9).
 */
export function putRemoteEntry(db: StateDb, e: Entry): void {
  db.tx(() => {
    const here = e.deleted ? undefined : db.get('remote', e.path);
    if (here && here.id !== e.id && db.subtree('remote', e.path).length > 1) {
      db.setMeta('ns_snapshot', [...new Set([...pendingSnapshots(db), e.ns])]);
    }
    const old = db.remotePathOf(e.id, e.path);
    if (old !== undefined) db.moveSubtree('remote', old, e.path);
    if (e.deleted) db.removeSubtree('remote', e.path);
    else db.put('remote', nodeFromEntry(e));
  });
}

/**
 * Applies one journal record to the remote tree (idempotent). Records are applied by entry
 * id, not by path: the executor writes the results of this device's own operations into the
 * remote tree at once, so when their journal records come back the paths may already hold
 * newer entries (e.g. a folder moved away, then a new folder of the same name created) —
 * applying a replayed move or delete by path would hit those (chaos seed 6012).
 */
export function applyChange(db: StateDb, c: Change): void {
  const e = c.entry;
  if (c.op === 'delete') {
    const at = db.remotePathOf(e.id);
    if (at !== undefined) db.removeSubtree('remote', at);
    return;
  }
  // put, mkdir, move (and mount records): by id — an entry found elsewhere moves with its subtree.
  putRemoteEntry(db, e);
}

/** The mount table stored in the state DB (meta `mount_table`). */
export function loadMounts(db: StateDb, homeNs: string): MountTable {
  return new MountTable(homeNs, db.getMeta<Mount[]>('mount_table', []));
}

/** Stores the mount table (meta `mount_table`). */
export function saveMounts(db: StateDb, t: MountTable): void {
  db.setMeta('mount_table', [...t.mounts].sort((a, b) => (a.path < b.path ? -1 : 1)));
}

/** A folder whose shared namespace `ns` this account lost: kept on disk, no longer synced (D28). */
export interface Detached {
  path: string;
  ns: string;
}

/** The detached folders (meta `detached`; entries of older versions are bare paths). */
export function detachedFolders(db: StateDb): Detached[] {
  return db.getMeta<Array<Detached | string>>('detached', []).map((d) => (typeof d === 'string' ? { path: d, ns: '' } : d));
}

/** Stores the detached folders (meta `detached`), one per path. */
export function setDetached(db: StateDb, list: Iterable<Detached>): void {
  const byPath = new Map<string, Detached>();
  for (const d of list) byPath.set(d.path, d);
  db.setMeta('detached', [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1)));
}

/** Namespaces whose snapshot must be read before the remote tree is complete (crash-safe). */
function pendingSnapshots(db: StateDb): string[] {
  return db.getMeta<string[]>('ns_snapshot', []);
}

/** Removes the rows strictly inside `p` (the row at `p` stays). */
function clearInside(db: StateDb, tree: 'remote' | 'synced', p: string): void {
  const keep = db.get(tree, p);
  db.removeSubtree(tree, p);
  if (keep) db.put(tree, keep);
}

/**
 * A shared namespace appeared at `m.path` (accepted, shared by us, or seen in a home
 * snapshot): its content is read from its own snapshot next. A folder we had detached from
 * the SAME namespace at that path is synced again (the first-sync merge: same content adopts,
 * different content becomes a conflicted copy); a kept copy of another namespace stays
 * detached and is moved aside by the engine (it must never leak into this one).
 */
function mountAdded(db: StateDb, m: Mount): void {
  clearInside(db, 'remote', m.path);
  setDetached(db, detachedFolders(db).filter((d) => !(d.path === m.path && d.ns === m.ns)));
  db.setMeta('ns_snapshot', [...new Set([...pendingSnapshots(db), m.ns])]);
  const seqs = db.getMeta<Record<string, number>>('ns_seq', {});
  delete seqs[m.ns];
  db.setMeta('ns_seq', seqs);
}

/**
 * A shared namespace left the view. `lostAccess` (left, removed, unshared by another
 * account): the local copy stays as it is and stops syncing — its merge base is dropped so
 * nothing there can ever be read as a deletion, and the folder is reported (detached).
 * Otherwise (our own unshare as owner) the folder is a plain home folder again and the
 * following home records bring its entries back with the same ids.
 */
function mountRemoved(db: StateDb, homeNs: string, m: Mount, lostAccess: boolean): void {
  if (lostAccess) {
    db.removeSubtree('remote', m.path);
    db.removeSubtree('synced', m.path);
    if (db.get('local', m.path)) setDetached(db, [...detachedFolders(db), { path: m.path, ns: m.ns }]);
  } else {
    // '0' is the code unit after '/': [p/, p0) is exactly the subtree below p. The unshare
    // re-journals the live entries into the home (same ids), but records of the shared
    // namespace this device had not read yet (a delete just before the unshare) are gone
    // with it: a home snapshot makes the remote tree exact.
    db.db.prepare('UPDATE remote SET ns = ? WHERE ns = ? AND path >= ? AND path < ?').run(homeNs, m.ns, `${m.path}/`, `${m.path}0`);
    db.setMeta('ns_snapshot', [...new Set([...pendingSnapshots(db), homeNs])]);
  }
  db.setMeta('ns_snapshot', pendingSnapshots(db).filter((n) => n !== m.ns));
}

/** Reads a whole namespace snapshot (paged). @throws CairnError from the client */
async function readSnapshot(client: RemoteClient, ns: string): Promise<{ entries: Entry[]; seq: number }> {
  const entries: Entry[] = [];
  let after: string | undefined;
  let seq = 0;
  for (let page = 0; ; page++) {
    const s = await client.call('snapshot', { params: { ns }, query: after ? { after, limit: 2000 } : { limit: 2000 } });
    if (page === 0) seq = s.seq;
    entries.push(...s.entries);
    if (!s.next) break;
    after = s.next;
  }
  return { entries, seq };
}

/**
 * Replaces one namespace's part of the remote tree with its snapshot (inside the caller's
 * transaction). For the home namespace the mount table is re-derived from the mount-point
 * entries; mounts that vanished meanwhile (a journal compacted while we were away) are
 * handled like an unmount, and new ones owe a snapshot of their own.
 */
function applySnapshot(db: StateDb, homeNs: string, ns: string, snap: { entries: Entry[]; seq: number }): void {
  const table = loadMounts(db, homeNs);
  const live = snap.entries.filter((e) => !e.deleted);
  if (ns === homeNs) {
    const next: Mount[] = [];
    for (const e of live) if (e.mount) next.push({ ns: e.mount.ns, path: e.path, role: e.mount.role });
    for (const m of table.mounts) {
      if (!next.some((n) => n.ns === m.ns)) mountRemoved(db, homeNs, m, !live.some((e) => e.path === m.path && e.kind === 'folder'));
    }
    db.db.prepare('DELETE FROM remote WHERE ns = ? OR ns IS NULL').run(homeNs);
    for (const e of live) db.put('remote', nodeFromEntry(e));
    for (const n of next) {
      const old = table.byNs(n.ns);
      if (!old || old.path !== n.path) mountAdded(db, n);
    }
    saveMounts(db, new MountTable(homeNs, next));
    // Rows of namespaces no longer mounted anywhere must not linger as remote entries.
    const known = [homeNs, ...next.map((n) => n.ns)];
    db.db.prepare(`DELETE FROM remote WHERE ns NOT IN (${known.map(() => '?').join(',')})`).run(...known);
  } else {
    const m = table.byNs(ns);
    if (m) {
      db.db.prepare('DELETE FROM remote WHERE ns = ?').run(ns);
      clearInside(db, 'remote', m.path);
      for (const e of live) if (e.path !== '') db.put('remote', nodeFromEntry(table.entryToView(e)));
    }
  }
  const seqs = db.getMeta<Record<string, number>>('ns_seq', {});
  seqs[ns] = snap.seq;
  db.setMeta('ns_seq', seqs);
  db.setMeta('pending_own', db.getMeta<PendingOwn[]>('pending_own', []).filter((p) => p.ns !== ns));
  db.setMeta('ns_snapshot', pendingSnapshots(db).filter((n) => n !== ns));
  // The server answers a reset with seq 0 for the namespace; kept as is, a compacted journal
  // (horizon > 0) would force a snapshot on every pull. Continue from the snapshot.
  const cursor = db.getMeta<string | null>('cursor', null);
  if (cursor) db.setMeta('cursor', cursorWithSeq(cursor, ns, snap.seq));
}

/** Reads the snapshots still owed, home first (it decides what is mounted). */
async function takeSnapshots(client: RemoteClient, db: StateDb, homeNs: string, out: PullResult): Promise<void> {
  for (let guard = 0; guard < 10_000; guard++) {
    const pending = pendingSnapshots(db);
    if (pending.length === 0) return;
    const ns = pending.includes(homeNs) ? homeNs : (pending[0] as string);
    if (ns !== homeNs && !loadMounts(db, homeNs).byNs(ns)) {
      // Visible but not mounted here: its `mount` record will ask again.
      db.setMeta('ns_snapshot', pending.filter((n) => n !== ns));
      continue;
    }
    let snap: { entries: Entry[]; seq: number };
    try {
      snap = await readSnapshot(client, ns);
    } catch (e) {
      // Access lost before the owed snapshot was read (removed, left elsewhere, unshared): the
      // home journal's `unmount` record says so and handles it; re-reading here would fail
      // forever and block every later pull. If the mount outlives the journal, a home
      // snapshot settles it.
      if (ns === homeNs || !(e instanceof CairnError) || (e.code !== 'forbidden' && e.code !== 'not_found')) throw e;
      db.setMeta('ns_snapshot', pending.filter((n) => n !== ns));
      continue;
    }
    db.tx(() => applySnapshot(db, homeNs, ns, snap));
    out.reset = true;
  }
}

/**
 * Pulls every change after the stored cursor, reading a snapshot of each namespace the
 * server says to reset and of each namespace newly mounted. Every namespace the account has
 * mounted is synced, grafted at its mount point (D28). Crash-safe: owed snapshots are
 * recorded (meta `ns_snapshot`) in the same transaction as the page that made them owed.
 * @throws CairnError `offline` and the server's codes; the DB is unchanged for the failed page.
 */
export async function pull(client: RemoteClient, db: StateDb, homeNs: string): Promise<PullResult> {
  const out: PullResult = { changes: [], reset: false };
  if (db.getMeta<Mount[] | null>('mount_table', null) === null) {
    // A state DB from before shared namespaces were synced skipped their records: read
    // everything again from snapshots (ids and revs are unchanged, so nothing is re-transferred).
    db.tx(() => {
      db.setMeta('cursor', undefined);
      db.setMeta('ns_seq', undefined);
      db.setMeta('mount_table', []);
      // Leftovers of the home-only engine: its mount list, own ops without a namespace, and
      // its "shared folders are not synced" issues.
      db.setMeta('mounts', undefined);
      db.setMeta('pending_own', []);
      db.clearIssuesByCode(['shared_folder']);
    });
  }
  await takeSnapshots(client, db, homeNs, out);
  for (let guard = 0; guard < 100_000; guard++) {
    const cursor = db.getMeta<string | null>('cursor', null);
    const res = await client.call('changes', { query: cursor ? { cursor, limit: 2000 } : { limit: 2000 } });
    db.tx(() => {
      if (res.reset) db.setMeta('ns_snapshot', [...new Set([...pendingSnapshots(db), ...res.reset_ns])]);
      applyPage(db, res.changes, homeNs, out);
      db.setMeta('cursor', res.cursor);
    });
    await takeSnapshots(client, db, homeNs, out);
    if (!res.has_more) break;
  }
  return out;
}

/**
 * An operation of this device (a folder move or delete) that the executor already applied to
 * the remote tree, and whose journal record (`seq`) the pull has not reached yet. Older records
 * still name paths from before it: they are rebased (move) or skipped (delete) so a replay
 * never puts an entry back where it no longer is (chaos seed 6032).
 */
export interface PendingOwn {
  kind: 'move' | 'delete';
  /** Namespace whose journal `seq` belongs to; `from`/`to` are paths in it (not view paths: a mount point may move meanwhile). */
  ns: string;
  from: string;
  to: string;
  seq: number;
}

/** Remembers an own operation until the pull passes its seq. */
export function notePendingOwn(db: StateDb, op: PendingOwn): void {
  const list = db.getMeta<PendingOwn[]>('pending_own', []);
  list.push(op);
  db.setMeta('pending_own', list);
}

/** The change as it applies now: rebased past own moves, or null when an own delete covers it. */
function adjust(c: Change, pending: readonly PendingOwn[]): Change | null {
  let path = c.entry.path;
  let from = c.from;
  for (const p of pending) {
    if (p.ns !== c.ns || c.seq >= p.seq) continue;
    if (p.kind === 'delete' && isInside(path, p.from)) return null;
    if (p.kind === 'move') {
      if (isInside(path, p.from)) path = rebase(path, p.from, p.to);
      if (from !== undefined && isInside(from, p.from)) from = rebase(from, p.from, p.to);
    }
  }
  return path === c.entry.path && from === c.from ? c : { ...c, from, entry: { ...c.entry, path } };
}


/** True for a move out of a folder that an own delete (not yet passed by the pull) removed. */
function movedOutOfOwnDelete(c: Change, pending: readonly PendingOwn[]): boolean {
  if (c.op !== 'move' || c.from === undefined) return false;
  const from = c.from;
  return pending.some((p) => p.kind === 'delete' && p.ns === c.ns && c.seq < p.seq && isInside(from, p.from) && !isInside(c.entry.path, p.from));
}

/** `c` with view paths (entry path and `from`), or null when its namespace is not mounted. */
function changeToView(c: Change, table: MountTable): Change | null {
  if (c.ns === table.homeNs) return c;
  const path = table.toView(c.ns, c.entry.path);
  if (path === null) return null;
  if (c.from === undefined) return { ...c, entry: { ...c.entry, path } };
  return { ...c, from: table.toView(c.ns, c.from) ?? c.from, entry: { ...c.entry, path } };
}

/** Keeps the mount table in step with a home journal record (mount, unmount, move). */
function noteMount(db: StateDb, homeNs: string, c: Change): void {
  let table = loadMounts(db, homeNs);
  if (c.op === 'mount' && c.mount) {
    const m: Mount = { ns: c.mount.ns, path: c.entry.path, role: c.mount.role };
    const old = table.byNs(m.ns);
    if (!old || old.path !== m.path) mountAdded(db, m);
    table = table.with(m);
  } else if (c.op === 'unmount' && c.mount) {
    const old = table.byNs(c.mount.ns);
    if (old) mountRemoved(db, homeNs, old, c.entry.deleted);
    table = table.without(c.mount.ns);
  } else if (c.op === 'move' && c.from !== undefined && table.mountsUnder(c.from).length > 0) {
    table = table.moved(c.from, c.entry.path);
  } else return;
  saveMounts(db, table);
}

function applyPage(db: StateDb, changes: readonly Change[], homeNs: string, out: PullResult): void {
  const seqs = db.getMeta<Record<string, number>>('ns_seq', {});
  let pending = db.getMeta<PendingOwn[]>('pending_own', []);
  for (const raw of changes) {
    if (raw.seq <= (seqs[raw.ns] ?? 0)) continue; // already reflected (snapshot or earlier page)
    // A snapshot owed replaces all of that namespace; a namespace not mounted here is skipped
    // (its `mount` record owes a snapshot).
    if (pendingSnapshots(db).includes(raw.ns)) continue;
    const table = loadMounts(db, homeNs);
    if (raw.ns !== homeNs && !table.byNs(raw.ns)) continue;
    if (movedOutOfOwnDelete(raw, pending)) {
      // Our folder delete dropped this entry's rows before its older move out of the folder
      // arrived: where its subtree is now only a snapshot can tell (chaos finding #12).
      db.setMeta('ns_snapshot', [...new Set([...pendingSnapshots(db), raw.ns])]);
      continue;
    }
    // Own operations are remembered in namespace paths: adjust first, then graft into the view.
    const adjusted = pending.length > 0 ? adjust(raw, pending) : raw;
    seqs[raw.ns] = raw.seq;
    if (pending.length > 0) pending = pending.filter((p) => p.ns !== raw.ns || p.seq > raw.seq);
    if (!adjusted) continue;
    const c = changeToView(adjusted, table);
    if (!c) continue;
    if (raw.ns === homeNs) {
      // mountAdded resets the namespace's seq: keep our copy in step before it writes.
      db.setMeta('ns_seq', seqs);
      noteMount(db, homeNs, c);
      const now = db.getMeta<Record<string, number>>('ns_seq', {});
      for (const k of Object.keys(seqs)) if (!(k in now)) delete seqs[k];
    }
    applyChange(db, c);
    out.changes.push(c);
  }
  db.setMeta('ns_seq', seqs);
  db.setMeta('pending_own', pending);
}
