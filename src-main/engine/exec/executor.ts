/**
 * Executor: carries out one planned round of operations against the disk and the server and
 * records each result in the state DB in one transaction.
 *
 * - Every op re-checks its precondition at the last moment (the file on disk still matches
 *   what was planned; `parent_rev` on the server), so a world that moved meanwhile makes the
 *   op fail softly and the next round re-plans instead of overwriting anything.
 * - Transfers run with bounded concurrency (p-queue); small uploads go in batch commits.
 * - Each op is recorded in the durable op log while it runs; after a crash the leftovers
 *   (temp files) are cleaned and the round is simply planned again from the three trees.
 * - Transient failures are retried with exponential back-off; `offline` aborts the round.
 */
import { lstat, mkdir, readdir, rename, rm, rmdir, unlink, utimes, chmod } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import path from 'node:path';
import PQueue from 'p-queue';
import { CairnError } from '../../../src-shared/errors.ts';
import { EMPTY_CONTENT_HASH, contentHash } from '../../../src-shared/hash.ts';
import { MAX_BATCH_COMMITS, MAX_CHECK_HASHES } from '../../../src-shared/protocol/limits.ts';
import type { Entry } from '../../../src-shared/protocol/model.ts';
import type { RouteOutput } from '../../../src-shared/protocol/routes.ts';
import { conflictedCopyPath, parentPath } from '../../../src-shared/paths.ts';
import { node, type TreeNode } from '../model.ts';
import type { Op } from '../plan/planner.ts';
import type { RemoteClient } from '../remote/client.ts';
import type { Location, MountTable } from '../mounts.ts';
import { loadMounts, nodeFromEntry, notePendingOwn, putRemoteEntry, saveMounts } from '../remote/pull.ts';
import type { BlockRef, Chunker } from '../scan/chunker.ts';
import { isLitter } from '../scan/ignore.ts';
import { fileNode, stillHashed } from '../scan/scanner.ts';
import type { StateDb } from '../state/db.ts';
import { putMissingBlocks, type EarlyUpload } from './block-upload.ts';
import { buildFile } from './transfer.ts';

/** Meta key of the folders kept on this device for their ignored items (D37). */
export const KEPT_META = 'kept_local';

/**
 * Folders deleted elsewhere (or excluded) that were kept on this device because they hold
 * ignored items: not synced, never re-created on the server, until a non-ignored item appears
 * in one (the engine then drops it from the list; D37). View paths.
 */
export function keptFolders(db: StateDb): string[] {
  return db.getMeta<string[]>(KEPT_META, []);
}

/** What the executor needs from the engine. */
export interface ExecContext {
  db: StateDb;
  client: RemoteClient;
  chunker: Chunker;
  root: string;
  /** The account's home namespace; shared namespaces are found through the mount table. */
  homeNs: string;
  deviceName: string;
  /** Items never deleted with a folder (ignore rules, and kept copies of lost shares). */
  ignore: () => { isIgnored(path: string, isFolder: boolean): boolean };
  /** Records an activity line (and pushes it to the UI). */
  log: (path: string, action: string, detail?: string | null, device?: string | null) => void;
  /** Reports progress: bytes moved. */
  progress: (bytes: number) => void;
  /** Max transfers at once (default 4). */
  concurrency?: number;
  /**
   * The early upload of the file at `rel` (D40), if the scan started one: the upload waits for
   * it before its own `check` (no block sent twice) and counts its bytes as progress.
   */
  earlyUpload?: (rel: string) => EarlyUpload | undefined;
}

/** Outcome of a round. */
export interface RoundResult {
  done: number;
  failed: Array<{ op: Op; error: CairnError }>;
  /**
   * Ops neither done nor failed: never started (the round was stopped or went offline), cut
   * off while `closing`, or left unsent when the server became unreachable. The next round
   * plans them again.
   */
  skipped: Op[];
  offline: boolean;
}

/** Codes that will not go away by retrying now: reported as issues, retried much later. */
const PERMANENT = new Set([
  'path_invalid',
  'path_too_long',
  'name_too_long',
  'path_case_collision',
  'parent_not_folder',
  'quota_exceeded',
  'unreadable',
]);
/**
 * Codes that mean "the world moved": re-plan at once (not an error). `mount_point` and
 * `forbidden`: a folder was shared, or our role in a shared folder changed, after the plan —
 * the next pull brings the mount record and the planner routes the op accordingly.
 */
const REPLAN = new Set(['conflict', 'path_exists', 'not_found', 'changed_during_read', 'move_into_self', 'block_missing', 'mount_point', 'forbidden']);

function errOf(e: unknown): CairnError {
  if (e instanceof CairnError) return e;
  const code = (e as { code?: string })?.code;
  if (code === 'ENOENT') return new CairnError('not_found', (e as Error).message);
  if (code === 'EACCES' || code === 'EPERM') return new CairnError('unreadable', (e as Error).message);
  if (code === 'changed_during_read') return new CairnError('changed_during_read', (e as Error).message);
  if (code === 'not_found') return new CairnError('not_found', (e as Error).message);
  if (code === 'unreadable') return new CairnError('unreadable', (e as Error).message);
  return new CairnError('internal', e instanceof Error ? e.message : String(e));
}

async function statOrNull(abs: string): Promise<Stats | null> {
  try {
    return await lstat(abs);
  } catch {
    return null;
  }
}

function sameStat(st: Stats | null, n: TreeNode | null): boolean {
  if (!st || !n) return !st && !n;
  if (n.kind === 'folder') return st.isDirectory();
  // ctime too: a same-size rewrite with its mtime restored (utimes) still moves ctime.
  return st.isFile() && st.ino === n.inode && st.size === n.size && st.mtimeMs === n.mtime && st.ctimeMs === n.ctime;
}

/** True when the op is a transfer that can run in parallel with others. */
function isTransfer(op: Op): boolean {
  return op.type === 'upload' || op.type === 'download';
}

/** Runs one planned round. */
export class Executor {
  private readonly ctx: ExecContext;
  private readonly queue: PQueue;

  constructor(ctx: ExecContext) {
    this.ctx = ctx;
    this.queue = new PQueue({ concurrency: ctx.concurrency ?? 4 });
  }

  private abs(p: string): string {
    return path.join(this.ctx.root, p);
  }

  /** The mount table as stored now (an op of this round may have changed it). */
  private mounts(): MountTable {
    return loadMounts(this.ctx.db, this.ctx.homeNs);
  }

  /** Where a view path lives on the server. */
  private loc(rel: string): Location {
    return this.mounts().locate(rel);
  }

  /** A server entry with its path as a view path. */
  private view(e: Entry): Entry {
    return this.mounts().entryToView(e);
  }

  /**
   * Writes a server answer (view paths) into the remote tree. It may be ahead of the pull:
   * when the entry's id lives at another path here, another device moved it (at `e.seq`) and
   * journal records older than that still name paths under the old one. They are rebased past
   * the move like our own moves (pending_own); else a replayed record put a child created just
   * before the move back at the old path, for good (chaos finding #11).
   */
  private putAhead(e: Entry): void {
    const { db } = this.ctx;
    db.tx(() => {
      const old = e.deleted ? undefined : db.remotePathOf(e.id, e.path);
      if (old !== undefined && e.seq > (db.getMeta<Record<string, number>>('ns_seq', {})[e.ns] ?? 0)) {
        const from = this.loc(old);
        const to = this.loc(e.path);
        if (from.ns === e.ns && to.ns === e.ns) notePendingOwn(db, { kind: 'move', ns: e.ns, from: from.path, to: to.path, seq: e.seq });
      }
      putRemoteEntry(db, e);
    });
  }

  /**
   * Executes `ops` (already ordered by the planner): non-transfers in order, transfers
   * in parallel within their rank. Stops early when the server is unreachable or `shouldStop`.
   */
  async run(ops: readonly Op[], shouldStop: () => boolean, closing: () => boolean = () => false): Promise<RoundResult> {
    const res: RoundResult = { done: 0, failed: [], skipped: [], offline: false };
    // Done or failed; whatever is neither at the end was skipped.
    const settled = new Set<Op>();
    const attempt = async (op: Op, fn: () => Promise<void>): Promise<void> => {
      for (let n = 0; ; n++) {
        if (res.offline) return;
        try {
          await fn();
          res.done++;
          settled.add(op);
          return;
        } catch (e) {
          // Stopping closes the connections under running ops (Engine.halt): not a failure of
          // the op, which the next start plans again.
          if (closing()) return;
          const err = errOf(e);
          if (err.code === 'offline') {
            res.offline = true;
            return;
          }
          if (PERMANENT.has(err.code) || REPLAN.has(err.code) || n >= 2) {
            res.failed.push({ op, error: err });
            settled.add(op);
            return;
          }
          await new Promise((r) => setTimeout(r, 200 * 2 ** n));
        }
      }
    };

    let i = 0;
    while (i < ops.length) {
      if (shouldStop() || res.offline) break;
      const op = ops[i] as Op;
      if (!isTransfer(op)) {
        await attempt(op, () => this.one(op));
        i++;
        continue;
      }
      // A run of transfers: batch small uploads, the rest in parallel.
      const run: Op[] = [];
      while (i < ops.length && isTransfer(ops[i] as Op)) run.push(ops[i++] as Op);
      const small = run.filter((o): o is Extract<Op, { type: 'upload' }> => o.type === 'upload' && o.local.size <= 1024 * 1024);
      const rest = run.filter((o) => !(o.type === 'upload' && o.local.size <= 1024 * 1024));
      const tasks: Array<Promise<void>> = [];
      if (small.length >= 4) {
        for (let k = 0; k < small.length; k += 200) {
          const group = small.slice(k, k + 200);
          tasks.push(
            this.queue.add(async () => {
              if (shouldStop() || res.offline) return;
              try {
                const r = await this.uploadBatch(group);
                res.done += r.committed.length;
                for (const o of r.committed) settled.add(o);
                if (r.offline) res.offline = true;
                // Only what was not committed is retried alone: a committed op run again would
                // meet its own new revision and could set a later local edit aside as a conflict.
                else for (const f of r.failed) await attempt(f, () => this.one(f));
              } catch (e) {
                // Failed before any commit (block check or upload): each op is retried alone.
                const err = errOf(e);
                if (err.code === 'offline') res.offline = true;
                else for (const f of group) await attempt(f, () => this.one(f));
              }
            }),
          );
        }
      } else rest.push(...small);
      for (const op2 of rest) {
        tasks.push(
          this.queue.add(async () => {
            if (shouldStop() || res.offline) return;
            await attempt(op2, () => this.one(op2));
          }),
        );
      }
      await Promise.all(tasks);
    }
    res.skipped = ops.filter((o) => !settled.has(o));
    return res;
  }

  /** Executes one op. @throws CairnError */
  async one(op: Op): Promise<void> {
    const { db } = this.ctx;
    const id = db.opBegin(op.type, 'path' in op ? op.path : op.from, { type: op.type });
    try {
      switch (op.type) {
        case 'upload':
          return await this.upload(op.path, op.parentRev, id);
        case 'download':
          return await this.download(op.path, op.remote, op.expect, id);
        case 'mkdirLocal':
          return await this.mkdirLocal(op.path, op.remote);
        case 'mkdirRemote':
          return await this.mkdirRemote(op.path);
        case 'moveLocal':
          return await this.moveLocal(op.from, op.to, op.local);
        case 'moveRemote':
          return await this.moveRemote(op.from, op.to);
        case 'deleteLocal':
          return await this.deleteLocal(op.path, op.expect, op.reason);
        case 'deleteRemote':
          return await this.deleteRemote(op.path, op.kind, op.parentRev);
        case 'conflict':
          await this.aside(op.path, op.remote.device ?? null);
          return;
        case 'adopt':
          db.putSynced({ ...op.remote, inode: op.local.inode, blocks: null });
          return;
        case 'forget':
          db.remove('synced', op.path);
          return;
      }
    } finally {
      db.opEnd(id);
    }
  }

  // ---- uploads ------------------------------------------------------------------------

  /** Chunks the file and checks it did not change while read. */
  private async readBlocks(rel: string): Promise<{ st: Stats; blocks: BlockRef[] }> {
    const abs = this.abs(rel);
    const st = await lstat(abs);
    if (!st.isFile()) throw new CairnError('not_found', `${rel} is no longer a file`);
    // The scanner just cut this very version (same inode, size, mtime): reuse its blocks. Each
    // block is re-hashed when read for upload, so a change since is still caught.
    const known = this.ctx.db.get('local', rel);
    if (stillHashed(known, st)) {
      const blocks = this.ctx.db.blocksOf(rel);
      if (blocks.reduce((s, b) => s + b.length, 0) === st.size && blocks.map((b) => b.hash).join() === (known.blocks ?? []).join()) return { st, blocks };
    }
    const blocks = await this.ctx.chunker.chunkFile(abs);
    const after = await lstat(abs);
    const total = blocks.reduce((s, b) => s + b.length, 0);
    if (after.ino !== st.ino || after.size !== st.size || after.mtimeMs !== st.mtimeMs || after.ctimeMs !== st.ctimeMs || total !== st.size) {
      throw new CairnError('changed_during_read');
    }
    return { st: after, blocks };
  }

  private async missing(hashes: string[]): Promise<Set<string>> {
    const uniq = [...new Set(hashes)];
    const out = new Set<string>();
    for (let k = 0; k < uniq.length; k += MAX_CHECK_HASHES) {
      const r = await this.ctx.client.call('checkBlocks', { body: { hashes: uniq.slice(k, k + MAX_CHECK_HASHES) } });
      for (const h of r.missing) out.add(h);
    }
    return out;
  }

  /** Records a successful commit of the local file `rel` as read at `st`. */
  private committed(rel: string, e: Entry, st: Stats, blocks: BlockRef[]): void {
    const { db } = this.ctx;
    db.tx(() => {
      this.putAhead(e);
      db.putSynced({ ...nodeFromEntry(e), inode: st.ino, blocks: null });
      db.put('local', fileNode(rel, st, blocks));
      db.setBlocks(rel, blocks);
    });
    this.ctx.log(rel, 'uploaded', null, this.ctx.deviceName);
    this.placedAt(rel, e);
  }

  /**
   * A new item goes under the server's existing folder whose name differs only in case (`d2/a`
   * lands at `D2/a`): our local folder collides with that one. Reported as `path_case_collision`
   * (with the server's path) so the engine sets the local folder aside; left as it is, the merge
   * base and the disk would disagree on the path and the engine would re-upload and delete it
   * forever (chaos finding #8).
   * @throws CairnError `path_case_collision` when `e.path` is not `rel`
   */
  private placedAt(rel: string, e: Entry): void {
    if (e.path !== rel) throw new CairnError('path_case_collision', `the server placed ${rel} at ${e.path}`, { existing: e.path });
  }

  private async upload(rel: string, parentRev: string | null, _opId: number): Promise<void> {
    const early = this.ctx.earlyUpload?.(rel);
    if (early) await early.settled;
    const { st, blocks } = await this.readBlocks(rel);
    const hashes = blocks.map((b) => b.hash);
    const missing = await this.missing(hashes);
    const sent = await putMissingBlocks(this.ctx.client, this.abs(rel), blocks, missing);
    this.ctx.progress(sent + (early?.sent ?? 0));
    try {
      const at = this.loc(rel);
      const { entry } = await this.ctx.client.call('commit', {
        params: { ns: at.ns },
        body: { path: at.path, parent_rev: parentRev, blocks: hashes, size: st.size, mtime: Math.floor(st.mtimeMs), executable: (st.mode & 0o100) !== 0 },
      });
      this.committed(rel, this.view(entry), st, blocks);
    } catch (e) {
      await this.onCommitError(rel, errOf(e), st, blocks);
    }
  }

  /** A commit lost the race: adopt when contents agree, else set the local version aside. */
  private async onCommitError(rel: string, err: CairnError, st: Stats, blocks: BlockRef[]): Promise<void> {
    if (err.code !== 'conflict' && err.code !== 'path_exists') throw err;
    let current = (err.details?.current as Entry | undefined) ?? undefined;
    if (!current) {
      try {
        const at = this.loc(rel);
        current = (await this.ctx.client.call('meta', { params: { ns: at.ns }, query: { path: at.path } })).entry;
      } catch {
        current = undefined;
      }
    }
    if (current) current = this.view(current);
    if (current) this.putAhead(current);
    const hash = blocks.length === 0 ? EMPTY_CONTENT_HASH : contentHash(blocks.map((b) => b.hash));
    if (current && current.kind === 'file' && current.content_hash === hash) {
      this.ctx.db.tx(() => {
        this.ctx.db.putSynced({ ...nodeFromEntry(current), inode: st.ino, blocks: null });
        this.ctx.db.put('local', fileNode(rel, st, blocks));
      });
      return;
    }
    await this.aside(rel, current?.device_name ?? null);
  }

  /**
   * Uploads many small files: one check, missing blocks, then one batch commit per namespace
   * (and per {@link MAX_BATCH_COMMITS}). Each committed file is recorded at once. Returns the
   * ops settled by the server's answer (`committed`) and the ops to retry alone: files that
   * could not be read or sent, items the server refused, and every op of a group whose whole
   * request failed — never an op of a group already committed. `offline`: the server became unreachable; groups not sent yet are left
   * for the next round (not in `failed`).
   * @throws CairnError when the block check or upload fails before anything was committed
   */
  private async uploadBatch(ops: Array<Extract<Op, { type: 'upload' }>>): Promise<{ committed: Op[]; failed: Op[]; offline: boolean }> {
    const ready: Array<{ op: Extract<Op, { type: 'upload' }>; st: Stats; blocks: BlockRef[] }> = [];
    const failed: Op[] = [];
    for (const op of ops) {
      try {
        ready.push({ op, ...(await this.readBlocks(op.path)) });
      } catch {
        failed.push(op);
      }
    }
    if (ready.length === 0) return { committed: [], failed, offline: false };
    const missing = await this.missing(ready.flatMap((r) => r.blocks.map((b) => b.hash)));
    const sendable: typeof ready = [];
    // Several small files' blocks in flight at once: per-request latency dominates here.
    let next = 0;
    let offline: unknown = null;
    const worker = async (): Promise<void> => {
      while (next < ready.length && !offline) {
        const r = ready[next++] as (typeof ready)[number];
        const mine = new Set(r.blocks.map((b) => b.hash).filter((h) => missing.has(h)));
        for (const h of mine) missing.delete(h); // claimed: no other file sends it again
        try {
          this.ctx.progress(await putMissingBlocks(this.ctx.client, this.abs(r.op.path), r.blocks, mine, 2));
          sendable.push(r);
        } catch (e) {
          if (errOf(e).code === 'offline') offline = e;
          failed.push(r.op);
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    if (offline) throw offline;
    const committed: Op[] = [];
    // A batch commits into one namespace: group by where each path lives.
    const byNs = new Map<string, typeof sendable>();
    for (const r of sendable) {
      const ns = this.loc(r.op.path).ns;
      byNs.set(ns, [...(byNs.get(ns) ?? []), r]);
    }
    const groups: Array<{ ns: string; group: typeof sendable }> = [];
    for (const [ns, list] of byNs) for (let k = 0; k < list.length; k += MAX_BATCH_COMMITS) groups.push({ ns, group: list.slice(k, k + MAX_BATCH_COMMITS) });
    for (const { ns, group } of groups) {
      const id = this.ctx.db.opBegin('commitBatch', group[0]?.op.path ?? '', { n: group.length });
      try {
        let results: RouteOutput<'commitBatch'>['results'];
        try {
          ({ results } = await this.ctx.client.call('commitBatch', {
            params: { ns },
            body: {
              commits: group.map((r) => ({
                path: this.loc(r.op.path).path,
                parent_rev: r.op.parentRev,
                blocks: r.blocks.map((b) => b.hash),
                size: r.st.size,
                mtime: Math.floor(r.st.mtimeMs),
                executable: (r.st.mode & 0o100) !== 0,
              })),
            },
          }));
        } catch (e) {
          // This group's request failed as a whole (e.g. `forbidden`: access to a shared folder
          // lost after the plan). Groups already committed stay committed; the ones after it
          // are still sent — unless the server is gone.
          if (errOf(e).code === 'offline') return { committed, failed, offline: true };
          failed.push(...group.map((g) => g.op));
          continue;
        }
        for (let j = 0; j < group.length; j++) {
          const g = group[j] as (typeof group)[number];
          const r = results[j];
          if (r?.ok) {
            try {
              this.committed(g.op.path, this.view(r.entry), g.st, g.blocks);
              committed.push(g.op);
            } catch {
              failed.push(g.op); // placed under another case: retried alone, it reports the collision
            }
          } else {
            const err = r ? new CairnError((r.error.code as CairnError['code']) ?? 'internal', r.error.message, r.error.details) : new CairnError('internal');
            try {
              await this.onCommitError(g.op.path, err, g.st, g.blocks);
              committed.push(g.op);
            } catch {
              failed.push(g.op);
            }
          }
        }
      } finally {
        this.ctx.db.opEnd(id);
      }
    }
    return { committed, failed, offline: false };
  }

  // ---- conflicted copies ----------------------------------------------------------------

  /**
   * Renames the local version at `rel` to a free conflicted-copy name; the merge base of `rel`
   * forgets its inode so the rename is not taken for a user's move. Returns the copy's path.
   */
  async aside(rel: string, _otherDevice: string | null): Promise<string> {
    const { db } = this.ctx;
    const now = new Date();
    let copy = '';
    for (let n = 1; n < 1000; n++) {
      copy = conflictedCopyPath(rel, this.ctx.deviceName, now, n);
      if (!db.get('remote', copy) && !db.get('local', copy) && !(await statOrNull(this.abs(copy)))) break;
    }
    // The merge base forgets the inodes BEFORE the rename: after a kill -9 between the two, a
    // remembered inode would make the next scan read our rename as the user's move and carry
    // the winning server version to the conflicted-copy name. A forgotten inode costs nothing
    // if the rename then fails. A set-aside folder's children are no moves either.
    db.clearInodes('synced', rel);
    await rename(this.abs(rel), this.abs(copy));
    db.tx(() => {
      db.moveSubtree('local', rel, copy);
      db.moveBlocks(rel, copy);
    });
    this.ctx.log(copy, 'conflict', `conflicted copy of ${rel}`, this.ctx.deviceName);
    return copy;
  }

  // ---- downloads ------------------------------------------------------------------------

  /** Creates missing parent folders of `rel` locally and records those the server has. */
  private async ensureParents(rel: string): Promise<void> {
    const parent = parentPath(rel);
    if (parent === '') return;
    const st = await statOrNull(this.abs(parent));
    if (st?.isDirectory()) return;
    if (st) throw new CairnError('parent_not_folder', `${parent} is a file`);
    await mkdir(this.abs(parent), { recursive: true });
    const { db } = this.ctx;
    db.tx(() => {
      for (let q = parent; q !== ''; q = parentPath(q)) {
        if (db.get('local', q)) break;
        const r = db.get('remote', q);
        db.put('local', node({ path: q, kind: 'folder' }));
        if (r && r.kind === 'folder') db.putSynced({ ...r });
      }
    });
  }

  private async download(rel: string, remote: TreeNode, expect: TreeNode | null, opId: number): Promise<void> {
    const { db } = this.ctx;
    const cur = db.get('remote', rel);
    if (!cur || cur.rev !== remote.rev) throw new CairnError('conflict', 'remote changed since planned');
    await this.ensureParents(rel);
    const abs = this.abs(rel);
    const built = await buildFile({
      client: this.ctx.client,
      root: this.ctx.root,
      abs,
      blockHashes: remote.blocks ?? [],
      expectHash: remote.hash ?? '',
      findLocal: (h) => db.findBlock(h),
      onTmp: (tmp) => db.db.prepare('UPDATE ops SET payload = ? WHERE id = ?').run(JSON.stringify({ tmp }), opId),
    });
    try {
      await chmod(built.tmp, remote.executable ? 0o755 : 0o644);
      const mt = new Date(remote.mtime);
      await utimes(built.tmp, mt, mt);
      // Only replace what was planned: a local edit made meanwhile becomes a conflicted copy.
      const now = await statOrNull(abs);
      if (now && !(expect && sameStat(now, expect))) {
        if (now.isDirectory()) throw new CairnError('path_exists', `${rel} is a folder now`);
        await this.aside(rel, remote.device ?? null);
      }
      await rename(built.tmp, abs);
    } catch (e) {
      await rm(built.tmp, { force: true });
      throw e;
    }
    const st = await lstat(abs);
    db.tx(() => {
      // Written and verified by us just now: hashed as of now (a later same-tick write is racy).
      db.put('local', { ...node({ path: rel, kind: 'file' }), hash: remote.hash, size: st.size, mtime: st.mtimeMs, inode: st.ino, executable: (st.mode & 0o100) !== 0, blocks: remote.blocks, ctime: st.ctimeMs, hashedAt: Date.now() });
      db.putSynced({ ...remote, inode: st.ino, blocks: null });
      db.setBlocks(rel, built.blocks);
    });
    this.ctx.progress(built.fetched + built.reused);
    this.ctx.log(rel, 'downloaded', built.reused > 0 ? `${built.reused} bytes reused from local blocks` : null, remote.device ?? null);
  }

  // ---- folders, moves, deletes --------------------------------------------------------

  private async mkdirLocal(rel: string, remote: TreeNode): Promise<void> {
    const abs = this.abs(rel);
    const st0 = await statOrNull(abs);
    if (st0 && !st0.isDirectory()) throw new CairnError('path_exists', `${rel} is a file`);
    await this.ensureParents(rel);
    await mkdir(abs, { recursive: true });
    const st = await lstat(abs);
    this.ctx.db.tx(() => {
      this.ctx.db.put('local', node({ path: rel, kind: 'folder', mtime: st.mtimeMs, inode: st.ino }));
      this.ctx.db.putSynced({ ...remote, inode: st.ino });
    });
  }

  private async mkdirRemote(rel: string): Promise<void> {
    const at = this.loc(rel);
    const entry = this.view((await this.ctx.client.call('mkdir', { params: { ns: at.ns }, body: { path: at.path } })).entry);
    const st = await statOrNull(this.abs(rel));
    this.ctx.db.tx(() => {
      this.putAhead(entry);
      this.ctx.db.putSynced({ ...nodeFromEntry(entry), inode: st?.ino ?? null });
    });
    this.placedAt(rel, entry);
  }

  private async moveLocal(from: string, to: string, local: TreeNode): Promise<void> {
    const src = await statOrNull(this.abs(from));
    if (!src || (local.inode !== null && src.ino !== local.inode)) throw new CairnError('changed_during_read', `${from} changed`);
    const dst = await statOrNull(this.abs(to));
    if (dst && dst.ino !== src.ino) throw new CairnError('path_exists', `${to} exists locally`);
    await this.ensureParents(to);
    await rename(this.abs(from), this.abs(to));
    // rename() moves the item's ctime: carry it over when it was unchanged just before (our own
    // rename is no content change), else the moved file would look edited (sameStat, fast path).
    const moved = await statOrNull(this.abs(to));
    const { db } = this.ctx;
    db.tx(() => {
      db.moveSubtree('local', from, to);
      const ln = db.get('local', to);
      if (moved && ln && ln.kind === 'file' && moved.ino === src.ino && ln.ctime === src.ctimeMs) db.put('local', { ...ln, ctime: moved.ctimeMs });
      db.moveSubtree('synced', from, to);
      db.moveBlocks(from, to);
      // The merge base keeps its rev: a content change made meanwhile is still to be synced.
      const r = db.get('remote', to);
      const s = db.get('synced', to);
      if (r && s) db.putSynced({ ...s, id: r.id });
    });
    this.ctx.log(to, 'moved', `from ${from}`, null);
  }

  private async moveRemote(from: string, to: string): Promise<void> {
    const src = this.loc(from);
    const dst = this.loc(to);
    // The planner only plans moves within one namespace (across: upload + delete).
    if (src.ns !== dst.ns) throw new CairnError('internal', `a move from ${from} to ${to} crosses namespaces`);
    const { entry: raw } = await this.ctx.client.call('move', { params: { ns: src.ns }, body: { from: src.path, to: dst.path } });
    const entry = this.view(raw);
    const { db } = this.ctx;
    db.tx(() => {
      // Mount points inside a moved home folder (or a renamed mount point) move with it.
      const table = this.mounts();
      if (table.mountsUnder(from).length > 0) saveMounts(db, table.moved(from, to));
      if (db.get('remote', from)) db.moveSubtree('remote', from, to);
      putRemoteEntry(db, entry);
      notePendingOwn(db, { kind: 'move', ns: src.ns, from: src.path, to: dst.path, seq: entry.seq });
      db.moveSubtree('synced', from, to);
      const s = db.get('synced', to);
      if (s) db.putSynced({ ...s, id: entry.id });
    });
    this.ctx.log(to, 'moved', `from ${from}`, this.ctx.deviceName);
  }

  private async deleteLocal(rel: string, expect: TreeNode, reason: 'remote' | 'excluded'): Promise<void> {
    const abs = this.abs(rel);
    const st = await statOrNull(abs);
    const { db } = this.ctx;
    if (!st) {
      db.tx(() => {
        db.removeSubtree('local', rel);
        db.remove('synced', rel);
        db.dropBlocks(rel, true);
      });
      return;
    }
    if (expect.kind === 'file') {
      if (!sameStat(st, expect)) throw new CairnError('changed_during_read', `${rel} changed locally; not deleting`);
      await unlink(abs);
    } else {
      if (!st.isDirectory()) throw new CairnError('changed_during_read', `${rel} is no longer a folder`);
      const entries = await readdir(abs, { withFileTypes: true });
      const ig = this.ctx.ignore();
      const keptDirs = new Set(keptFolders(db));
      // isFolder matters: a folder-only rule (`build/`) matches only with the trailing slash.
      const ignored = (e: Dirent): boolean => ig.isIgnored(`${rel}/${e.name}`, e.isDirectory());
      const litter = (e: Dirent): boolean => e.isFile() && isLitter(e.name);
      // A sub-folder kept (just now, innermost first) for its own ignored items counts as one.
      const keeps = (e: Dirent): boolean => (ignored(e) && !litter(e)) || (e.isDirectory() && keptDirs.has(`${rel}/${e.name}`));
      const rest = entries.filter((e) => !ignored(e) && !keeps(e));
      // Something unsynced survives in it: the folder stays (retried after a back-off).
      if (rest.length > 0) throw new CairnError('changed_during_read', `${rel} still holds unsynced items`);
      if (entries.some(keeps)) {
        // Ignored items remain. They exist on this device alone (never uploaded, in no
        // history), so deleting them would lose data: the folder stays, holding them. Its
        // merge-base row is dropped and it is remembered as kept (D37): not synced — so not
        // re-created on the server — until a non-ignored item appears in it.
        db.tx(() => {
          db.removeSubtree('synced', rel);
          if (!keptDirs.has(rel)) db.setMeta(KEPT_META, [...keptDirs, rel].sort());
          db.setIssue({
            path: rel,
            code: 'kept_ignored',
            message: `${reason === 'excluded' ? 'Excluded' : 'Deleted elsewhere'}, but it holds ignored items that exist only on this device`,
            action: 'The folder and its ignored items were kept on this device only; delete them yourself if they are not needed.',
          });
        });
        this.ctx.log(rel, 'kept', 'holds ignored items that exist only on this device', null);
        return;
      }
      // Only OS litter (.DS_Store, Thumbs.db …) is left: it goes with the folder.
      for (const e of entries) await rm(path.join(abs, e.name), { force: true });
      await rmdir(abs);
    }
    db.tx(() => {
      db.removeSubtree('local', rel);
      db.remove('synced', rel);
      db.dropBlocks(rel, true);
    });
    this.ctx.log(rel, reason === 'excluded' ? 'excluded' : 'deleted_local', null, null);
  }

  private async deleteRemote(rel: string, kind: 'file' | 'folder', parentRev: string | null): Promise<void> {
    const { db } = this.ctx;
    let seq: number | null = null;
    const at = this.loc(rel);
    // The server refuses to delete a folder holding a mount point: the shared folders in it
    // are settled first (left, or unshared by their owner), as deleting their local copy asks.
    let gone = false;
    for (const m of this.mounts().mountsUnder(rel)) if ((await this.dropMount(m)) && m.path === rel) gone = true;
    if (gone) return;
    try {
      // A folder is deleted only if nothing in it changed on the server after what our remote
      // tree reflects: an edit made elsewhere meanwhile must survive (it fails with `conflict`,
      // the next round pulls it and re-plans).
      const since = db.getMeta<Record<string, number>>('ns_seq', {})[at.ns];
      const body = kind === 'file' ? { path: at.path, ...(parentRev ? { parent_rev: parentRev } : {}) } : { path: at.path, ...(since !== undefined ? { unchanged_since: since } : {}) };
      const r = await this.ctx.client.call('delete', { params: { ns: at.ns }, body });
      seq = r.entry.seq;
    } catch (e) {
      const err = errOf(e);
      if (err.code === 'conflict') {
        const current = err.details?.current as Entry | undefined;
        if (current) this.putAhead(this.view(current));
      }
      // `not_found` too: nothing lives at this path any more, but whether it was deleted or
      // moved elsewhere with its content is in journal records not read yet. Taken as done,
      // it dropped a moved folder's children from the remote tree (chaos finding #10); the
      // engine pulls and re-plans instead (a deleted entry is then simply forgotten).
      throw err;
    }
    db.tx(() => {
      db.removeSubtree('remote', rel);
      db.removeSubtree('synced', rel);
      if (seq !== null) notePendingOwn(db, { kind: 'delete', ns: at.ns, from: at.path, to: at.path, seq });
    });
    this.ctx.log(rel, 'deleted_remote', kind === 'folder' ? 'folder and its contents' : null, this.ctx.deviceName);
  }

  /**
   * The local copy of shared folder `m` was deleted (with its mount point, or with a folder
   * holding it). A member leaves the shared folder — the other members keep it, and it stays
   * in the namespace's history. The owner unshares: the content returns into the owner's
   * home as plain content, and the caller then deletes it there like any folder (undeletable).
   * Returns true when the member left (nothing of the mount is left to delete on the server).
   */
  private async dropMount(m: { ns: string; path: string; role: string }): Promise<boolean> {
    const { db } = this.ctx;
    if (m.role === 'owner') {
      await this.ctx.client.call('unshare', { params: { ns: m.ns } });
      db.tx(() => {
        db.db.prepare('UPDATE remote SET ns = ? WHERE ns = ?').run(this.ctx.homeNs, m.ns);
        saveMounts(db, this.mounts().without(m.ns));
      });
      this.ctx.log(m.path, 'unshared', 'the shared folder was deleted by its owner', this.ctx.deviceName);
      return false;
    }
    await this.ctx.client.call('leaveShare', { params: { ns: m.ns } });
    db.tx(() => {
      db.removeSubtree('remote', m.path);
      db.removeSubtree('synced', m.path);
      saveMounts(db, this.mounts().without(m.ns));
    });
    this.ctx.log(m.path, 'left', 'the shared folder was deleted on this device', this.ctx.deviceName);
    return true;
  }
}
