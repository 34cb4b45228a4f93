// The local watcher on a real folder: events become debounced dirty paths; folders that appear
// are watched before their paths are handed over; folders that go (or move) lose their watches.
import { mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalWatcher, type WatchMode } from './watcher.ts';

/** A watcher on a fresh temp folder, with a way to await a dirty path. */
function setup(mode?: WatchMode) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cairn-watch-'));
  const seen: string[][] = [];
  const waiters: Array<{ pred: (p: string) => boolean; resolve: () => void }> = [];
  const w = new LocalWatcher(
    root,
    {
      onDirty: (paths) => {
        seen.push(paths);
        for (const x of [...waiters]) {
          if (paths.some(x.pred)) {
            waiters.splice(waiters.indexOf(x), 1);
            x.resolve();
          }
        }
      },
      onOverflow: () => {},
    },
    mode ? { mode } : {},
  );
  /** Resolves with the first reported path matching `pred` (from now on). */
  const dirtied = (pred: (p: string) => boolean) =>
    new Promise<void>((resolve) => waiters.push({ pred, resolve }));
  return { root, w, seen, dirtied };
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

function make(mode?: WatchMode) {
  const s = setup(mode);
  cleanup.push(async () => {
    await s.w.close();
    rmSync(s.root, { recursive: true, force: true });
  });
  return s;
}

describe('LocalWatcher (per-folder)', () => {
  it('watches one handle per folder and reports a change deep in the tree', async () => {
    const s = make('per-folder');
    mkdirSync(path.join(s.root, 'a/b/c'), { recursive: true });
    for (let i = 0; i < 50; i++) writeFileSync(path.join(s.root, `a/b/f${i}.txt`), 'x');
    await s.w.start();
    // root, a, a/b, a/b/c — nothing per file.
    expect(s.w.watchedFolders).toBe(4);
    const got = s.dirtied((p) => p === 'a/b/c/new.txt');
    writeFileSync(path.join(s.root, 'a/b/c/new.txt'), 'hello');
    await got;
  });

  it('watches a new folder (and its subfolders) before handing its path over', async () => {
    const s = make('per-folder');
    await s.w.start();
    const got = s.dirtied((p) => p === 'n');
    mkdirSync(path.join(s.root, 'n/sub/deeper'), { recursive: true });
    await got;
    expect(s.w.watchedFolders).toBe(4);
    // A file created in the new subtree right after the hand-over is reported with its path.
    const file = s.dirtied((p) => p === 'n/sub/deeper/f.txt');
    writeFileSync(path.join(s.root, 'n/sub/deeper/f.txt'), 'x');
    await file;
  });

  it('drops the watches of a folder that is deleted, and follows one that is renamed', async () => {
    const s = make('per-folder');
    mkdirSync(path.join(s.root, 'gone/inner'), { recursive: true });
    mkdirSync(path.join(s.root, 'old/inner'), { recursive: true });
    await s.w.start();
    expect(s.w.watchedFolders).toBe(5);
    const del = s.dirtied((p) => p === 'gone');
    rmSync(path.join(s.root, 'gone'), { recursive: true });
    await del;
    expect(s.w.watchedFolders).toBe(3);
    const moved = s.dirtied((p) => p === 'new');
    renameSync(path.join(s.root, 'old'), path.join(s.root, 'new'));
    await moved;
    // The watches now belong to the new name: an edit inside is reported under it, not under "old".
    expect(s.w.watchedFolders).toBe(3);
    const inner = s.dirtied((p) => p.startsWith('new/inner/') || p.startsWith('old/'));
    writeFileSync(path.join(s.root, 'new/inner/x.txt'), 'x');
    await inner;
    expect(s.seen.flat().filter((p) => p.startsWith('old/'))).toEqual([]);
    expect(s.seen.flat()).toContain('new/inner/x.txt');
  });

  it('never reports the engine’s own temp files', async () => {
    const s = make('per-folder');
    await s.w.start();
    const got = s.dirtied((p) => p === 'real.txt');
    writeFileSync(path.join(s.root, '.cairn-tmp-abc'), 'x');
    writeFileSync(path.join(s.root, 'real.txt'), 'x');
    await got;
    expect(s.seen.flat().filter((p) => p.includes('.cairn-tmp-'))).toEqual([]);
  });

  it('refuses to start on a missing root', async () => {
    const s = make('per-folder');
    rmSync(s.root, { recursive: true });
    await expect(s.w.start()).rejects.toThrow();
  });
});

describe('LocalWatcher (recursive)', () => {
  it('reports a change deep in the tree through one recursive watch', async () => {
    const s = make('recursive');
    mkdirSync(path.join(s.root, 'a/b'), { recursive: true });
    await s.w.start();
    expect(s.w.watchedFolders).toBe(0);
    const got = s.dirtied((p) => p === 'a/b/f.txt');
    // Node's recursive watch on Linux discovers folders asynchronously: write until seen.
    let n = 0;
    const t = setInterval(() => writeFileSync(path.join(s.root, 'a/b/f.txt'), String(n++)), 50);
    try {
      await got;
    } finally {
      clearInterval(t);
    }
  });
});
