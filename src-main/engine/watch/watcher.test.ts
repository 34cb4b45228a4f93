// The local watcher (chokidar) on a real folder: events become debounced dirty paths; content of
// folders that appear or move is reported under their current names; temp files never are.
import { mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalWatcher } from './watcher.ts';

/** A watcher on a fresh temp folder, with a way to await a dirty path. */
function setup() {
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
    {},
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

function make() {
  const s = setup();
  cleanup.push(async () => {
    await s.w.close();
    rmSync(s.root, { recursive: true, force: true });
  });
  return s;
}

describe('LocalWatcher', () => {
  it('reports a change deep in the tree', async () => {
    const s = make();
    mkdirSync(path.join(s.root, 'a/b/c'), { recursive: true });
    for (let i = 0; i < 50; i++) writeFileSync(path.join(s.root, `a/b/f${i}.txt`), 'x');
    await s.w.start();
    const got = s.dirtied((p) => p === 'a/b/c/new.txt');
    writeFileSync(path.join(s.root, 'a/b/c/new.txt'), 'hello');
    await got;
  });

  it('reports a new folder, then files created inside it', async () => {
    const s = make();
    await s.w.start();
    const got = s.dirtied((p) => p === 'n' || p.startsWith('n/'));
    mkdirSync(path.join(s.root, 'n/sub/deeper'), { recursive: true });
    await got;
    // chokidar adds the new folders' watches as it discovers them: write until seen.
    const file = s.dirtied((p) => p === 'n/sub/deeper/f.txt');
    let n = 0;
    const t = setInterval(() => writeFileSync(path.join(s.root, 'n/sub/deeper/f.txt'), String(n++)), 50);
    try {
      await file;
    } finally {
      clearInterval(t);
    }
  });

  it('reports a renamed folder, and edits inside it under its new name', async () => {
    const s = make();
    mkdirSync(path.join(s.root, 'old/inner'), { recursive: true });
    await s.w.start();
    const moved = s.dirtied((p) => p === 'new' || p.startsWith('new/'));
    renameSync(path.join(s.root, 'old'), path.join(s.root, 'new'));
    await moved;
    const inner = s.dirtied((p) => p === 'new/inner/x.txt');
    let n = 0;
    const t = setInterval(() => writeFileSync(path.join(s.root, 'new/inner/x.txt'), String(n++)), 50);
    try {
      await inner;
    } finally {
      clearInterval(t);
    }
  });

  it('never reports the engine’s own temp files', async () => {
    const s = make();
    await s.w.start();
    const got = s.dirtied((p) => p === 'real.txt');
    writeFileSync(path.join(s.root, '.cairn-tmp-abc'), 'x');
    writeFileSync(path.join(s.root, 'real.txt'), 'x');
    await got;
    expect(s.seen.flat().filter((p) => p.includes('.cairn-tmp-'))).toEqual([]);
  });
});
