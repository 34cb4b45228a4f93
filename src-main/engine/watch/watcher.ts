/**
 * Local watcher: file-system events are only hints. They are collected into a set of dirty
 * sync-root-relative paths and handed over after a short debounce; the scanner confirms them
 * (a dirty folder is rescanned with its whole subtree). A watcher error (the inotify watch limit,
 * ENOSPC / EMFILE) asks for a full rescan and turns on periodic full rescans, never silence.
 *
 * Two modes (docs/decisions.md D31):
 * - `per-folder` (Linux and every other platform without a native recursive watch): one
 *   non-recursive `fs.watch` (one inotify watch, no file descriptor) per folder. Nothing is kept
 *   per file, so 100,000 files under 100 folders cost 100 small handles — chokidar 6 kept a tree
 *   of every entry (≈ 390 MiB RSS and 6.5 s to get ready for 100,000 files here; this: ≈ 60 MiB
 *   and 0.4 s). Folders that appear are watched (with their subtree) before their paths are handed
 *   over, so a file created in a new folder is either seen by the scan that follows or reported
 *   by the new watch; folders that disappear or are replaced (another inode) drop their watches.
 * - `recursive` (macOS FSEvents, Windows ReadDirectoryChangesW): one `fs.watch(root, {recursive})`,
 *   native there. (On Linux Node emulates it in JavaScript with a per-file tree: not used.)
 *
 * Known limit (shared with chokidar, which uses the same fs.watch): libuv drops inotify's queue
 * overflow notice, so an overflow during a huge burst is not reported; the engine's periodic pulls
 * and any later event in the same folder (its subtree is rescanned) repair it.
 */
import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { TEMP_PREFIX } from '../scan/ignore.ts';

/** Callbacks of {@link LocalWatcher}. */
export interface WatchHandlers {
  /** Dirty paths (relative; `""` = the root), after the debounce (ms). */
  onDirty: (paths: string[]) => void;
  /** The watcher lost events or failed: rescan everything. */
  onOverflow: (err: unknown) => void;
}

/** How the tree is watched (default: `recursive` on macOS and Windows, else `per-folder`). */
export type WatchMode = 'per-folder' | 'recursive';

/** Options of {@link LocalWatcher}. */
export interface WatchOptions {
  /** How long events are gathered before `onDirty` (ms; default 25). */
  debounceMs?: number;
  mode?: WatchMode;
}

const NATIVE_RECURSIVE = process.platform === 'darwin' || process.platform === 'win32';

/** One watched folder: its handle and the inode it had when the watch was added. */
interface Watched {
  w: FSWatcher;
  ino: number;
}

/** Watches one sync root. */
export class LocalWatcher {
  private readonly root: string;
  private readonly handlers: WatchHandlers;
  private readonly debounceMs: number;
  private readonly mode: WatchMode;
  /** Watched folders by relative path (`""` = the root); per-folder mode only. */
  private readonly folders = new Map<string, Watched>();
  private recursive: FSWatcher | null = null;
  private dirty = new Set<string>();
  /** Dirty paths that saw a create/delete/rename (a folder may have appeared or gone there). */
  private renamed = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Set when the watcher failed: the engine then also rescans periodically. */
  degraded = false;

  /**
   * @param root absolute path of the sync root
   * @param opts debounce (ms) and mode; a number is the debounce (the old signature)
   */
  constructor(root: string, handlers: WatchHandlers, opts: WatchOptions | number = {}) {
    const o = typeof opts === 'number' ? { debounceMs: opts } : opts;
    this.root = root;
    this.handlers = handlers;
    this.debounceMs = o.debounceMs ?? 25;
    this.mode = o.mode ?? (NATIVE_RECURSIVE ? 'recursive' : 'per-folder');
  }

  /** Number of folders with their own watch (per-folder mode; for tests and diagnostics). */
  get watchedFolders(): number {
    return this.folders.size;
  }

  /**
   * Starts watching; resolves once every existing folder is watched (events from then on are
   * reported). Failing to watch some folder (limits) marks the watcher degraded instead.
   * @throws when the root itself cannot be watched (missing, unreadable)
   */
  async start(): Promise<void> {
    if (this.mode === 'recursive') {
      const w = watch(this.root, { recursive: true, persistent: true }, (_ev, name) => {
        this.mark(name === null ? '' : String(name).split(path.sep).join('/'), true);
      });
      w.on('error', (err) => this.fail(err));
      this.recursive = w;
      return;
    }
    const rootStat = await lstat(this.root);
    this.add('', rootStat.ino, true);
    await this.watchBelow('');
  }

  /** Stops every watch; pending events are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.recursive?.close();
    this.recursive = null;
    for (const f of this.folders.values()) f.w.close();
    this.folders.clear();
  }

  // ---- per-folder mode ------------------------------------------------------------------

  /** Watches folder `rel` (inode `ino`). `strict`: rethrow a failure (the root). */
  private add(rel: string, ino: number, strict = false): boolean {
    if (this.closed || this.folders.has(rel)) return false;
    const abs = path.join(this.root, rel);
    // inotify reports events on the watched folder itself (deleted, moved) under the folder's own
    // name, indistinguishable from a child of that name: such an event marks the folder itself,
    // whose rescan covers the child too (and a moved folder is never reported under its old path).
    const own = path.basename(abs);
    let w: FSWatcher;
    try {
      w = watch(abs, { persistent: true }, (ev, name) => {
        if (name === null || String(name) === own) this.mark(rel, true);
        else this.mark(rel === '' ? String(name) : `${rel}/${String(name)}`, ev === 'rename');
      });
    } catch (err) {
      if (strict) throw err;
      // ENOENT: gone meanwhile (its parent's event says so). Anything else (ENOSPC: the inotify
      // watch limit, EMFILE) means events will be missed: degrade to periodic full rescans.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.fail(err);
      return false;
    }
    w.on('error', (err) => {
      // A folder removed under its watch may report an error: its parent's event covers it.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EPERM')
        return;
      this.fail(err);
    });
    this.folders.set(rel, { w, ino });
    return true;
  }

  /** Watches every folder below `rel` (breadth first; symlinks are not followed). */
  private async watchBelow(rel: string): Promise<void> {
    let level = [rel];
    while (level.length > 0 && !this.closed) {
      const next: string[] = [];
      await Promise.all(
        level.map(async (dir) => {
          let names;
          try {
            names = await readdir(path.join(this.root, dir), { withFileTypes: true });
          } catch {
            return; // gone or unreadable: the scanner reports what it cannot read
          }
          for (const d of names) {
            if (!d.isDirectory() || d.name.startsWith(TEMP_PREFIX)) continue;
            const child = dir === '' ? d.name : `${dir}/${d.name}`;
            const st = await lstat(path.join(this.root, child)).catch(() => null);
            if (st?.isDirectory() && this.add(child, st.ino)) next.push(child);
          }
        }),
      );
      level = next;
    }
  }

  /** Stops the watches of `rel` and of every folder below it. */
  private drop(rel: string): void {
    for (const [p, f] of this.folders) {
      if (p === rel || (rel === '' ? true : p.startsWith(`${rel}/`))) {
        f.w.close();
        this.folders.delete(p);
      }
    }
  }

  /**
   * Brings the watches in line with the disk at `rel` (a path that saw a create, delete or
   * rename): a new folder is watched with its subtree, a folder gone or replaced by another
   * inode loses its watches (and a replacement is watched afresh).
   */
  private async reconcile(rel: string): Promise<void> {
    const st = await lstat(path.join(this.root, rel)).catch(() => null);
    const have = this.folders.get(rel);
    if (have && (!st?.isDirectory() || st.ino !== have.ino)) this.drop(rel);
    if (st?.isDirectory() && !this.folders.has(rel) && rel !== '') {
      if (this.add(rel, st.ino)) await this.watchBelow(rel);
    }
  }

  // ---- both modes -----------------------------------------------------------------------

  private mark(rel: string, renamed: boolean): void {
    if (this.closed || rel.startsWith('..') || path.posix.basename(rel).startsWith(TEMP_PREFIX)) return;
    this.dirty.add(rel);
    if (renamed) this.renamed.add(rel);
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.debounceMs);
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const paths = [...this.dirty];
    const renamed = [...this.renamed];
    this.dirty.clear();
    this.renamed.clear();
    // New folders are watched BEFORE their paths are handed over: the scan that follows then
    // sees everything created before the watch, and the watch everything after it.
    if (this.mode === 'per-folder') await Promise.all(renamed.map((p) => this.reconcile(p)));
    if (paths.length > 0 && !this.closed) this.handlers.onDirty(paths);
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    this.degraded = true;
    this.handlers.onOverflow(err);
  }
}
