/**
 * Selective sync settings: the folders this device does not keep locally (meta `excluded`,
 * outermost folders only), what excluding would remove, and the matcher the planner uses.
 * The planner and executor do the removing (only once everything inside is uploaded) and the
 * downloading when a folder is included again. May import: src-shared, the engine's state/.
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
    this.ctx.db.setMeta('excluded', ex);
    this.ctx.log(n, 'excluded', 'selective sync');
    this.ctx.wake({ remote: true });
    return ex;
  }

  /** Includes folder `p` again (its remote content is downloaded). Returns the new list. @throws CairnError `path_invalid` */
  remove(p: string): string[] {
    const n = normalizePath(p);
    const ex = this.list().filter((e) => e !== n);
    this.ctx.db.setMeta('excluded', ex);
    this.ctx.log(n, 'included', 'selective sync');
    this.ctx.wake({ remote: true, full: true });
    return ex;
  }
}
