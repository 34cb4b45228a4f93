/**
 * Version history, deleted entries and conflicted copies as the control API offers them:
 * revisions of a file, restore one, save one elsewhere, list and undelete deleted entries
 * (all through the mount table, so a path inside a shared folder reaches its namespace), and
 * the conflicted copies in the local folder with their settlement. Owns no state of its own.
 * May import: src-shared, the engine's state/, remote/, exec/transfer.ts, mounts.ts.
 */
import { mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ConflictInfo } from '../../src-shared/control.ts';
import { CairnError } from '../../src-shared/errors.ts';
import { baseName, isConflictedCopyName, joinPath, normalizePath, parentPath } from '../../src-shared/paths.ts';
import type { Entry, Revision } from '../../src-shared/protocol/model.ts';
import { buildFile } from './exec/transfer.ts';
import type { Location, MountTable } from './mounts.ts';
import type { RemoteClient } from './remote/client.ts';
import { TEMP_PREFIX } from './scan/ignore.ts';
import type { StateDb } from './state/db.ts';

/** What {@link Versions} needs from the engine. */
export interface VersionsContext {
  db: StateDb;
  /** The sync root, or null before one is chosen. */
  folder(): string | null;
  /** @throws CairnError `not_logged_in` */
  client(): RemoteClient;
  /** @throws CairnError `not_logged_in` */
  mounts(): MountTable;
  log(path: string, action: string, detail?: string | null): void;
  /** Asks the sync loop to run (a pull, or a rescan of `paths`). */
  wake(what: { paths?: string[]; remote?: boolean }): void;
}

/** `name (conflicted copy from DEVICE YYYY-MM-DD[ n]).ext` → [stem, device, date, ext]. */
const CONFLICT_RE = /^(.*) \(conflicted copy from (.+) (\d{4}-\d{2}-\d{2})(?: \d+)?\)(\.[^.]*)?$/u;

/** History, restore, deleted entries and conflicted copies (see the module doc). */
export class Versions {
  private readonly ctx: VersionsContext;

  constructor(ctx: VersionsContext) {
    this.ctx = ctx;
  }

  /** Server location of a user-given path. @throws CairnError `path_invalid`, `not_logged_in` */
  private at(p: string): Location {
    return this.ctx.mounts().locate(normalizePath(p));
  }

  /** Revisions of a file, newest first. @throws CairnError `not_found`, `offline`, … */
  async history(p: string): Promise<Revision[]> {
    const at = this.at(p);
    const r = await this.ctx.client().call('revisions', { params: { ns: at.ns }, query: { path: at.path } });
    return r.revisions;
  }

  /** Restores revision `rev` of `p` on the server (the sync loop then downloads it). */
  async restore(p: string, rev: string): Promise<Entry> {
    const at = this.at(p);
    const r = await this.ctx.client().call('restore', { params: { ns: at.ns }, body: { path: at.path, rev } });
    const entry = this.ctx.mounts().entryToView(r.entry);
    this.ctx.log(entry.path, 'restored', `revision ${rev}`);
    this.ctx.wake({ remote: true });
    return entry;
  }

  /**
   * Writes revision `rev` of `p` to the absolute local path `dest` (overwriting it).
   * @throws CairnError `bad_request` (relative dest, or one of the engine's temp names in the
   * sync root), `not_found` (no such revision), transfer errors
   */
  async saveRevision(p: string, rev: string, dest: string): Promise<void> {
    if (!path.isAbsolute(dest)) throw new CairnError('bad_request', 'dest must be an absolute path');
    // dest may overwrite any file the user can write (documented in the method summary), but
    // never one of the engine's own temp files in the sync root (a download in progress).
    const folder = this.ctx.folder();
    const inRoot = folder ? path.relative(folder, path.resolve(dest)) : '..';
    if (inRoot !== '' && !inRoot.startsWith('..') && !path.isAbsolute(inRoot) && inRoot.split(path.sep).some((c) => c.startsWith(TEMP_PREFIX))) {
      throw new CairnError('bad_request', "dest is one of Cairn's temp names in the sync root");
    }
    const revs = await this.history(p);
    const r = revs.find((x) => x.rev === rev);
    if (!r) throw new CairnError('not_found', `no revision ${rev} of ${p}`);
    mkdirSync(path.dirname(dest), { recursive: true });
    const built = await buildFile({ client: this.ctx.client(), root: folder ?? '/', abs: dest, blockHashes: r.blocks, expectHash: r.content_hash, findLocal: (h) => this.ctx.db.findBlock(h) });
    await rename(built.tmp, dest).catch(async (e: unknown) => {
      await rm(built.tmp, { force: true });
      throw e;
    });
  }

  /**
   * Deleted entries at or under `p` that can be restored (view paths). A folder holding shared
   * folders (the root included) lists theirs too; a mount point lists its namespace's.
   */
  async deleted(p = ''): Promise<Entry[]> {
    const table = this.ctx.mounts();
    const view = normalizePath(p);
    const at = this.at(view);
    const asks: Array<{ ns: string; path: string }> = [{ ns: at.ns, path: at.path }];
    for (const m of table.mountsUnder(view)) asks.push({ ns: m.ns, path: '' });
    const out: Entry[] = [];
    for (const a of asks) {
      const r = await this.ctx.client().call('listDeleted', { params: { ns: a.ns }, query: a.path ? { path: a.path } : {} });
      for (const e of r.entries) out.push(table.entryToView(e));
    }
    return out;
  }

  /** Restores a deleted file or folder on the server (the sync loop then downloads it). */
  async undelete(p: string): Promise<Entry> {
    const at = this.at(p);
    const r = await this.ctx.client().call('undelete', { params: { ns: at.ns }, body: { path: at.path } });
    const entry = this.ctx.mounts().entryToView(r.entry);
    this.ctx.log(entry.path, 'restored', 'undeleted');
    this.ctx.wake({ remote: true });
    return entry;
  }

  /** Conflicted copies in the local folder beside their originals. */
  conflicts(): ConflictInfo[] {
    const { db } = this.ctx;
    const out: ConflictInfo[] = [];
    const rows = db.db.prepare("SELECT path FROM local WHERE kind = 'file' AND path LIKE '%(conflicted copy from %'").all() as Array<{ path: string }>;
    for (const { path: p } of rows) {
      const name = baseName(p);
      if (!isConflictedCopyName(name)) continue;
      const m = CONFLICT_RE.exec(name);
      if (!m) continue;
      const original = joinPath(parentPath(p), `${m[1] ?? ''}${m[4] ?? ''}`);
      const c = db.get('local', p);
      const o = db.get('local', original);
      out.push({
        path: p,
        original,
        size: c?.size ?? 0,
        mtime: Math.floor(c?.mtime ?? 0),
        original_size: o?.size ?? null,
        original_mtime: o ? Math.floor(o.mtime) : null,
        device_name: m[2] ?? null,
        original_device_name: db.get('remote', original)?.device ?? null,
      });
    }
    return out;
  }

  /**
   * Settles a conflicted copy: `mine` = the copy replaces the original, `theirs` = the copy
   * is removed, `both` = the copy stays as an ordinary file.
   * @throws CairnError `not_found` when `p` is not a conflicted copy
   */
  async resolveConflict(p: string, keep: 'mine' | 'theirs' | 'both'): Promise<void> {
    const c = this.conflicts().find((x) => x.path === normalizePath(p));
    const folder = this.ctx.folder();
    if (!c || !folder) throw new CairnError('not_found', `${p} is not a conflicted copy`);
    const abs = path.join(folder, c.path);
    if (keep === 'mine') await rename(abs, path.join(folder, c.original));
    else if (keep === 'theirs') await rm(abs, { force: true });
    this.ctx.log(c.path, 'conflict_resolved', `kept ${keep}`);
    this.ctx.wake({ paths: [c.path, c.original] });
  }
}
