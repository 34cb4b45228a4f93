/**
 * Selective sync settings: the folders this device does not keep locally (meta `excluded`,
 * outermost folders only), what excluding would remove, and the matcher the planner uses.
 * The planner and executor do the removing (only once everything inside is uploaded) and the
 * downloading when a folder is included again. An exclusion follows its folder: it is keyed by
 * the folder's server entry id too (meta `excluded_ids`), so when the folder, one of its
 * parents or the shared folder's mount point holding it is moved or renamed (here or on
 * another device), {@link SelectiveSync.follow} rewrites it to the new path before the next
 * plan — across a case-only rename too. May import: src-shared, the engine's state/.
 */
import { CairnError } from '../../src-shared/errors.ts';
import { isInside, normalizePath } from '../../src-shared/paths.ts';
import type { StateDb } from './state/db.ts';

/** What {@link SelectiveSync} needs from the engine. */
export interface SelectiveContext {
  db: StateDb;
  log(path: string, action: string, detail?: string | null): void;
  wake(what: { remote?: boolean; full?: boolean }): void;
}

/** The excluded-folder list and its edits. */
export class SelectiveSync {
  private readonly ctx: SelectiveContext;

  constructor(ctx: SelectiveContext) {
    this.ctx = ctx;
  }

  /** Excluded folders (sync-root-relative view paths), sorted. */
  list(): string[] {
    return this.ctx.db.getMeta<string[]>('excluded', []);
  }

  /** Server entry ids of excluded folders, by excluded path (absent: not known yet). */
  private ids(): Record<string, string> {
    return this.ctx.db.getMeta<Record<string, string>>('excluded_ids', {});
  }

  /**
   * Moves each exclusion to where its folder's server entry (by id) now lives in the remote
   * tree, and learns the ids of exclusions that have none yet. An entry no longer in the tree
   * (deleted) keeps its exclusion at the old path. Returns true when the list changed.
   */
  follow(): boolean {
    const { db } = this.ctx;
    const list = this.list();
    if (list.length === 0) return false;
    const ids = this.ids();
    const next: string[] = [];
    const nextIds: Record<string, string> = {};
    let moved = false;
    for (const e of list) {
      const id = ids[e];
      const at = id ? db.remotePathOf(id) : undefined;
      // Case-only renames too (`d2` → `D2` is the same folder): the user excluded the folder,
      // not its spelling. A local copy still on disk under the old spelling follows it as a
      // move (the planner), so unsynced work in it is uploaded into the folder (D39).
      const to = at ?? e;
      if (to !== e) {
        moved = true;
        this.ctx.log(to, 'excluded', `selective sync: the excluded folder moved from ${e}`);
      }
      next.push(to);
      const learnt = id ?? db.get('remote', to)?.id ?? undefined;
      if (learnt) nextIds[to] = learnt;
    }
    // Outermost folders only (a move may have put one exclusion inside another).
    const outer = [...new Set(next)].filter((e, _i, all) => !all.some((o) => o !== e && isInside(e, o))).sort();
    for (const k of Object.keys(nextIds)) if (!outer.includes(k)) delete nextIds[k];
    const idsChanged = JSON.stringify(nextIds) !== JSON.stringify(ids);
    if (moved || idsChanged || outer.length !== list.length) {
      db.tx(() => {
        db.setMeta('excluded', outer);
        db.setMeta('excluded_ids', nextIds);
      });
    }
    return moved || outer.length !== list.length;
  }

  /** True for paths at or inside an excluded folder (a snapshot of the list as of now). */
  matcher(): (p: string) => boolean {
    const ex = this.list();
    return (p) => ex.some((e) => isInside(p, e));
  }

  /** What excluding `paths` would remove locally: files, bytes, and how many are unsynced. */
  preview(paths: string[]): { files: number; bytes: number; unsynced: number } {
    const { db } = this.ctx;
    const norm = paths.map((p) => normalizePath(p));
    let files = 0;
    let bytes = 0;
    let unsynced = 0;
    for (const l of db.all('local').values()) {
      if (l.kind !== 'file' || !norm.some((e) => isInside(l.path, e))) continue;
      files++;
      bytes += l.size;
      const s = db.get('synced', l.path);
      if (!s || s.hash !== l.hash) unsynced++;
    }
    return { files, bytes, unsynced };
  }

  /**
   * Excludes folder `p` from this device (its local copy goes once everything in it is
   * uploaded). Returns the new list. @throws CairnError `path_invalid` (also for the root)
   */
  add(p: string): string[] {
    const n = normalizePath(p);
    if (n === '') throw new CairnError('path_invalid', 'the root cannot be excluded');
    const ex = this.list().filter((e) => !isInside(e, n));
    if (!ex.some((e) => isInside(n, e))) ex.push(n);
    ex.sort();
    const ids = this.ids();
    for (const k of Object.keys(ids)) if (!ex.includes(k)) delete ids[k];
    const id = this.ctx.db.get('remote', n)?.id;
    if (id) ids[n] = id;
    this.ctx.db.tx(() => {
      this.ctx.db.setMeta('excluded', ex);
      this.ctx.db.setMeta('excluded_ids', ids);
    });
    this.ctx.log(n, 'excluded', 'selective sync');
    this.ctx.wake({ remote: true });
    return ex;
  }

  /** Includes folder `p` again (its remote content is downloaded). Returns the new list. @throws CairnError `path_invalid` */
  remove(p: string): string[] {
    const n = normalizePath(p);
    const ex = this.list().filter((e) => e !== n);
    const ids = this.ids();
    delete ids[n];
    this.ctx.db.tx(() => {
      this.ctx.db.setMeta('excluded', ex);
      this.ctx.db.setMeta('excluded_ids', ids);
    });
    this.ctx.log(n, 'included', 'selective sync');
    this.ctx.wake({ remote: true, full: true });
    return ex;
  }
}
