import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CairnError } from '../../src-shared/errors.ts';
import { World, exists } from './helpers.ts';
import type { Dev } from './helpers.ts';

// A folder deleted on another device while it holds items ignored here (D37).
let w: World;
afterEach(async () => {
  await w?.cleanup();
});

/** True when the server has a live entry at `p` in the account's home. */
async function onServer(d: Dev, p: string): Promise<boolean> {
  const ns = d.engine.credentials!.home_ns;
  try {
    await d.engine.remote().call('meta', { params: { ns }, query: { path: p } });
    return true;
  } catch (e) {
    if (e instanceof CairnError && e.code === 'not_found') return false;
    throw e;
  }
}

describe('folders kept for ignored items', () => {
  it('built-in OS litter (.DS_Store, Thumbs.db, desktop.ini) does not keep a folder deleted elsewhere', async () => {
    w = await World.create();
    const a = await w.device('A');
    const b = await w.device('B');
    await mkdir(path.join(a.folder, 'photos/sub'), { recursive: true });
    await writeFile(path.join(a.folder, 'photos/a.jpg'), 'jpeg');
    await writeFile(path.join(a.folder, 'keep.txt'), 'not all files go (mass-delete guard)');
    await w.settle();
    await writeFile(path.join(a.folder, 'photos/.DS_Store'), 'finder');
    await writeFile(path.join(a.folder, 'photos/sub/Thumbs.db'), 'explorer');
    await writeFile(path.join(a.folder, 'photos/sub/desktop.ini'), 'explorer');
    await w.settle();
    expect(await exists(path.join(b.folder, 'photos/sub'))).toBe(true);
    await rm(path.join(b.folder, 'photos'), { recursive: true });
    await w.settle();
    expect(await exists(path.join(a.folder, 'photos'))).toBe(false);
    expect(await onServer(a, 'photos')).toBe(false);
    expect(await exists(path.join(b.folder, 'photos'))).toBe(false);
    expect(a.engine.status().issues).toEqual([]);
  });

  it('a folder kept for .cairnignore items stays on disk, is not re-created on the server, and syncs again once a non-ignored item appears', async () => {
    w = await World.create();
    const a = await w.device('A');
    const b = await w.device('B');
    await writeFile(path.join(a.folder, '.cairnignore'), '*.env\n');
    await mkdir(path.join(a.folder, 'proj/sub'), { recursive: true });
    await writeFile(path.join(a.folder, 'proj/code.ts'), 'code');
    await writeFile(path.join(a.folder, 'proj/secret.env'), 'TOKEN=1');
    await writeFile(path.join(a.folder, 'proj/sub/y.ts'), 'y');
    await writeFile(path.join(a.folder, 'proj/sub/x.env'), 'X=1');
    await writeFile(path.join(a.folder, 'proj/.DS_Store'), 'finder');
    await writeFile(path.join(a.folder, 'keep.txt'), 'not all files go (mass-delete guard)');
    await w.settle();
    expect(await readFile(path.join(b.folder, 'proj/sub/y.ts'), 'utf8')).toBe('y');
    await rm(path.join(b.folder, 'proj'), { recursive: true });
    await w.settle();
    // A keeps what exists only on A; the synced files went.
    expect(await readFile(path.join(a.folder, 'proj/secret.env'), 'utf8')).toBe('TOKEN=1');
    expect(await readFile(path.join(a.folder, 'proj/sub/x.env'), 'utf8')).toBe('X=1');
    expect(await exists(path.join(a.folder, 'proj/code.ts'))).toBe(false);
    expect(await exists(path.join(a.folder, 'proj/sub/y.ts'))).toBe(false);
    // …and the kept folders are not uploaded again: B's delete stands.
    expect(await onServer(a, 'proj')).toBe(false);
    expect(await exists(path.join(b.folder, 'proj'))).toBe(false);
    expect(a.engine.status().issues.map((i) => `${i.code} ${i.path}`).sort()).toEqual(['kept_ignored proj', 'kept_ignored proj/sub']);
    // A restart remembers them.
    await w.restart(a);
    await w.settle();
    expect(await onServer(a, 'proj')).toBe(false);
    // A non-ignored item in a kept folder: it (and its kept parent) sync again; ignored items stay here.
    await writeFile(path.join(a.folder, 'proj/sub/new.txt'), 'new');
    await w.settle();
    expect(await readFile(path.join(b.folder, 'proj/sub/new.txt'), 'utf8')).toBe('new');
    expect(await exists(path.join(b.folder, 'proj/sub/x.env'))).toBe(false);
    expect(await exists(path.join(b.folder, 'proj/secret.env'))).toBe(false);
    expect(a.engine.status().issues).toEqual([]);
  });
});
