/**
 * Keeps the remote tree equal to the server's journal: `changes` from the stored cursor,
 * with a snapshot of each namespace the server says to reset. The remote tree, the cursor
 * and the per-namespace seq advance in one transaction per page, so a crash never leaves a
 * cursor ahead of the tree. Only the home namespace (mounted at the root) is synced.
 */
import type { Entry, Change } from '../../../src-shared/protocol/model.ts';
import { isInside, rebase } from '../../../src-shared/paths.ts';
import { cursorWithSeq } from '../../../src-shared/protocol/cursor.ts';
import { node, type TreeNode } from '../model.ts';
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

/** Writes one server entry into the remote tree (removing a stale row of the same id). */
export function putRemoteEntry(db: StateDb, e: Entry): void {
  db.tx(() => {
    const old = db.db.prepare('SELECT path FROM remote WHERE id = ? AND path != ?').get(e.id, e.path) as { path: string } | undefined;
    if (old) db.moveSubtree('remote', old.path, e.path);
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
    const at = db.db.prepare('SELECT path FROM remote WHERE id = ?').get(e.id) as { path: string } | undefined;
    if (at) db.removeSubtree('remote', at.path);
    return;
  }
  // put, mkdir, move (and mount records): by id — an entry found elsewhere moves with its subtree.
  putRemoteEntry(db, e);
}

/**
 * Pulls every change after the stored cursor (snapshotting on reset).
 * @throws CairnError `offline` and the server's codes; the DB is unchanged for the failed page.
 */
export async function pull(client: RemoteClient, db: StateDb, homeNs: string): Promise<PullResult> {
  const out: PullResult = { changes: [], reset: false };
  for (let guard = 0; guard < 100_000; guard++) {
    const cursor = db.getMeta<string | null>('cursor', null);
    const res = await client.call('changes', { query: cursor ? { cursor, limit: 2000 } : { limit: 2000 } });
    if (res.reset) {
      out.reset = true;
      const snaps = new Map<string, { entries: Entry[]; seq: number }>();
      for (const ns of res.reset_ns) {
        if (ns !== homeNs) continue;
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
        snaps.set(ns, { entries, seq });
      }
      db.tx(() => {
        const seqs = db.getMeta<Record<string, number>>('ns_seq', {});
        for (const [ns, snap] of snaps) {
          db.db.prepare('DELETE FROM remote WHERE ns = ? OR ns IS NULL').run(ns);
          for (const e of snap.entries) if (!e.deleted) db.put('remote', nodeFromEntry(e));
          db.setMeta('mounts', snap.entries.filter((e) => !e.deleted && (e as { mount?: unknown }).mount).map((e) => e.path).sort());
          seqs[ns] = snap.seq;
        }
        db.setMeta('ns_seq', seqs);
        db.setMeta('pending_own', []);
        applyPage(db, res.changes, homeNs, out);
        // The server answers a reset with seq 0 for the namespace; kept as is, a compacted
        // journal (horizon > 0) would force a snapshot on every pull. Continue from the snapshot.
        let next = res.cursor;
        for (const [ns, snap] of snaps) next = cursorWithSeq(next, ns, snap.seq);
        db.setMeta('cursor', next);
      });
    } else {
      db.tx(() => {
        applyPage(db, res.changes, homeNs, out);
        db.setMeta('cursor', res.cursor);
      });
    }
    if (!res.has_more) break;
  }
  return out;
}

/**
 * Mount points of shared namespaces in the home (meta `mounts`), and folders whose mount was
 * lost (meta `detached`). This engine does not sync shared namespaces yet: it leaves both
 * alone on either side (never deleting the local copy) and reports them.
 */
export function noteMount(db: StateDb, c: Change): void {
  const mounts = new Set(db.getMeta<string[]>('mounts', []));
  const detached = new Set(db.getMeta<string[]>('detached', []));
  const op = c.op as string;
  if (c.op === 'move' && c.from !== undefined && mounts.has(c.from)) {
    mounts.delete(c.from);
    mounts.add(c.entry.path);
  }
  if (op === 'mount' || (c.entry as { mount?: unknown }).mount) mounts.add(c.entry.path);
  if (op === 'unmount') {
    mounts.delete(c.entry.path);
    // Access lost: the local copy stays and stops syncing. Owner's unshare: a plain folder again.
    if (c.entry.deleted) detached.add(c.entry.path);
  }
  db.setMeta('mounts', [...mounts].sort());
  db.setMeta('detached', [...detached].sort());
}

/**
 * An operation of this device (a folder move or delete) that the executor already applied to
 * the remote tree, and whose journal record (`seq`) the pull has not reached yet. Older records
 * still name paths from before it: they are rebased (move) or skipped (delete) so a replay
 * never puts an entry back where it no longer is (chaos seed 6032).
 */
export interface PendingOwn {
  kind: 'move' | 'delete';
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
    if (c.seq >= p.seq) continue;
    if (p.kind === 'delete' && isInside(path, p.from)) return null;
    if (p.kind === 'move') {
      if (isInside(path, p.from)) path = rebase(path, p.from, p.to);
      if (from !== undefined && isInside(from, p.from)) from = rebase(from, p.from, p.to);
    }
  }
  return path === c.entry.path && from === c.from ? c : { ...c, from, entry: { ...c.entry, path } };
}

function applyPage(db: StateDb, changes: readonly Change[], homeNs: string, out: PullResult): void {
  const seqs = db.getMeta<Record<string, number>>('ns_seq', {});
  let pending = db.getMeta<PendingOwn[]>('pending_own', []);
  for (const raw of changes) {
    if (raw.ns !== homeNs) continue;
    if (raw.seq <= (seqs[raw.ns] ?? 0)) continue; // already reflected (snapshot or earlier page)
    const c = pending.length > 0 ? adjust(raw, pending) : raw;
    seqs[raw.ns] = raw.seq;
    if (pending.length > 0) pending = pending.filter((p) => p.seq > raw.seq);
    if (!c) continue;
    noteMount(db, c);
    applyChange(db, c);
    out.changes.push(c);
  }
  db.setMeta('ns_seq', seqs);
  db.setMeta('pending_own', pending);
}
