/**
 * Local watcher (chokidar, the product's chosen watcher): file-system events are only hints.
 * They are collected into a set of dirty sync-root-relative paths and handed over after a
 * short debounce; the scanner confirms them (a dirty folder is rescanned with its subtree). A
 * watcher error (the inotify limit ENOSPC, EMFILE) asks for a full rescan and turns on
 * periodic full rescans, never silence. Its cost at 100,000 files and the measured
 * alternative are in docs/decisions.md D31.
 */
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { TEMP_PREFIX } from '../scan/ignore.ts';

/** Callbacks of {@link LocalWatcher}. */
export interface WatchHandlers {
  /** Dirty paths (relative; `""` = the root), after the debounce (ms). */
  onDirty: (paths: string[]) => void;
  /** The watcher lost events or failed: rescan everything. */
  onOverflow: (err: unknown) => void;
}

/** Watches one sync root. */
export class LocalWatcher {
  private w: FSWatcher | null = null;
  private dirty = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly root: string;
  private readonly handlers: WatchHandlers;
  private readonly debounceMs: number;
  /** Set when the watcher failed: the engine then also rescans periodically. */
  degraded = false;

  /**
   * @param root absolute path of the sync root
   * @param opts `debounceMs`: how long events are gathered before `onDirty` (default 25 ms); a
   *   number is the debounce
   */
  constructor(root: string, handlers: WatchHandlers, opts: { debounceMs?: number } | number = {}) {
    this.root = root;
    this.handlers = handlers;
    this.debounceMs = typeof opts === 'number' ? opts : (opts.debounceMs ?? 25);
  }

  /** Starts watching; resolves once the initial tree is being watched. */
  async start(): Promise<void> {
    const w = watch(this.root, {
      ignoreInitial: true,
      followSymlinks: false,
      persistent: true,
      ignored: (p: string) => path.basename(p).startsWith(TEMP_PREFIX),
    });
    this.w = w;
    const mark = (p: string): void => {
      const rel = path.relative(this.root, p).split(path.sep).join('/');
      if (rel.startsWith('..')) return;
      this.dirty.add(rel);
      if (!this.timer) this.timer = setTimeout(() => this.flush(), this.debounceMs);
    };
    w.on('all', (_event, p) => mark(p));
    w.on('error', (err) => {
      this.degraded = true;
      this.handlers.onOverflow(err);
    });
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
  }

  private flush(): void {
    this.timer = null;
    const paths = [...this.dirty];
    this.dirty.clear();
    if (paths.length > 0) this.handlers.onDirty(paths);
  }

  /** Stops watching; pending dirty paths are dropped (the next start rescans). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.w?.close();
    this.w = null;
  }
}
