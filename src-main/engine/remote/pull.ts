/**
 * Keeps the remote tree equal to the server's journal: `changes` from the stored cursor,
 * with a snapshot of each namespace the server says to reset. The remote tree, the cursor
 * and the per-namespace seq advance in one transaction per page, so a crash never leaves a
 * cursor ahead of the tree. Only the home namespace (mounted at the root) is synced.
 */
import type { Entry, Change } from '../../../src-shared/protocol/model.ts';
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

/** Applies one journal record to the remote tree (idempotent). */
export function applyChange(db: StateDb, c: Change): void {
  const e = c.entry;
  if (c.op === 'delete') {
    db.removeSubtree('remote', e.path);
    return;
  }
  if (c.op === 'move' && c.from !== undefined && c.from !== e.path) {
    if (db.get('remote', c.from)) db.moveSubtree('remote', c.from, e.path);
  }
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
        applyPage(db, res.changes, homeNs, out);
        db.setMeta('cursor', res.cursor);
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

function applyPage(db: StateDb, changes: readonly Change[], homeNs: string, out: PullResult): void {
  const seqs = db.getMeta<Record<string, number>>('ns_seq', {});
  for (const c of changes) {
    if (c.ns !== homeNs) continue;
    if (c.seq <= (seqs[c.ns] ?? 0)) continue; // already reflected (snapshot or earlier page)
    noteMount(db, c);
    applyChange(db, c);
    seqs[c.ns] = c.seq;
    out.changes.push(c);
  }
  db.setMeta('ns_seq', seqs);
}
