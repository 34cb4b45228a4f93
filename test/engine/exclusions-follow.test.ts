import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Engine } from '../../src-main/engine/index.ts';
import { World, exists } from './helpers.ts';

// Selective sync: an exclusion follows its folder when the folder, a parent, or the mount
// point of the shared folder holding it moves — here or on another device.
let w: World;
afterEach(async () => {
  await w?.cleanup();
});

describe('exclusions follow their folders', () => {
  it('a parent renamed elsewhere, the excluded folder moved elsewhere, a parent moved here', async () => {
    w = await World.create();
    const a = await w.device('A');
    const b = await w.device('B');
    await mkdir(path.join(a.folder, 'proj/big/deep'), { recursive: true });
    await writeFile(path.join(a.folder, 'proj/big/deep/f.bin'), 'big data');
    await writeFile(path.join(a.folder, 'proj/other.txt'), 'other');
    await writeFile(path.join(a.folder, 'keep.txt'), 'keep');
    await w.settle();
    b.engine.excludeAdd('proj/big');
    await w.settle();
    expect(await exists(path.join(b.folder, 'proj/big'))).toBe(false);
    // Another device renames a parent.
    await rename(path.join(a.folder, 'proj'), path.join(a.folder, 'work'));
    await w.settle();
    expect(b.engine.excludeList()).toEqual(['work/big']);
    expect(await readFile(path.join(b.folder, 'work/other.txt'), 'utf8')).toBe('other');
    expect(await exists(path.join(b.folder, 'work/big'))).toBe(false);
    // Another device moves the excluded folder itself.
    await mkdir(path.join(a.folder, 'archive'));
    await rename(path.join(a.folder, 'work/big'), path.join(a.folder, 'archive/big'));
    await w.settle();
    expect(b.engine.excludeList()).toEqual(['archive/big']);
    expect(await exists(path.join(b.folder, 'archive/big'))).toBe(false);
    // This device moves a parent of it (the excluded folder is not on its disk).
    await rename(path.join(b.folder, 'archive'), path.join(b.folder, 'old'));
    await w.settle();
    expect(b.engine.excludeList()).toEqual(['old/big']);
    expect(await exists(path.join(b.folder, 'old/big'))).toBe(false);
    expect(await readFile(path.join(a.folder, 'old/big/deep/f.bin'), 'utf8')).toBe('big data');
    // Included again: it comes down at its new place.
    b.engine.excludeRemove('old/big');
    await w.settle();
    expect(await readFile(path.join(b.folder, 'old/big/deep/f.bin'), 'utf8')).toBe('big data');
  });

  it('a case-only rename elsewhere keeps the folder excluded; a file taken out of an excluded folder still on disk is moved on the server (D39)', async () => {
    w = await World.create();
    const a = await w.device('A');
    const b = await w.device('B');
    await mkdir(path.join(a.folder, 'proj/sub'), { recursive: true });
    await writeFile(path.join(a.folder, 'proj/sub/f.bin'), 'big data');
    await mkdir(path.join(a.folder, 'media'));
    await writeFile(path.join(a.folder, 'media/keep.txt'), 'keep');
    await writeFile(path.join(a.folder, 'media/clip.bin'), 'clip');
    await w.settle();
    b.engine.excludeAdd('proj');
    await w.settle();
    expect(await exists(path.join(b.folder, 'proj'))).toBe(false);
    // Another device renames the excluded folder in case only: still the same folder.
    await rename(path.join(a.folder, 'proj'), path.join(a.folder, 'Proj'));
    await w.settle();
    expect(b.engine.excludeList()).toEqual(['Proj']);
    expect(await exists(path.join(b.folder, 'Proj'))).toBe(false);
    expect(await exists(path.join(b.folder, 'proj'))).toBe(false);
    // While B is stopped, its user excludes media but first takes keep.txt out of it.
    await b.engine.stop();
    b.engine = new Engine({ home: b.home, folder: b.folder, pollMs: 60_000 });
    b.engine.excludeAdd('media');
    await rename(path.join(b.folder, 'media/keep.txt'), path.join(b.folder, 'keep.txt'));
    await b.engine.start();
    await w.settle();
    // A move on the server (not a copy: media/keep.txt is gone there), then media goes locally.
    expect(await readFile(path.join(a.folder, 'keep.txt'), 'utf8')).toBe('keep');
    expect(await exists(path.join(a.folder, 'media/keep.txt'))).toBe(false);
    expect(await readFile(path.join(a.folder, 'media/clip.bin'), 'utf8')).toBe('clip');
    expect(await exists(path.join(b.folder, 'media'))).toBe(false);
    // Included again: the renamed folder comes down under its new name.
    b.engine.excludeRemove('Proj');
    await w.settle();
    expect(await readFile(path.join(b.folder, 'Proj/sub/f.bin'), 'utf8')).toBe('big data');
  });

  it('a shared folder mount point moved by another device of the member', async () => {
    w = await World.create();
    const owner = await w.device('O');
    const emailB = `b${Date.now()}${Math.floor(Math.random() * 1e6)}@example.com`;
    const b1 = await w.deviceOf(emailB, 'B1');
    const b2 = await w.deviceOf(emailB, 'B2');
    await mkdir(path.join(owner.folder, 'Team/assets'), { recursive: true });
    await writeFile(path.join(owner.folder, 'Team/assets/a.bin'), 'asset');
    await writeFile(path.join(owner.folder, 'Team/plan.txt'), 'plan');
    await w.settle();
    const home = owner.engine.credentials!.home_ns;
    await owner.engine.remote().call('share', { params: { ns: home }, body: { path: 'Team', email: emailB, role: 'editor' } });
    const { invitations } = await b1.engine.remote().call('listShares');
    await b1.engine.remote().call('acceptInvitation', { params: { id: invitations[0]!.id }, body: { path: 'Team' } });
    await w.settle();
    b1.engine.excludeAdd('Team/assets');
    await w.settle();
    expect(await exists(path.join(b1.folder, 'Team/assets'))).toBe(false);
    await mkdir(path.join(b2.folder, 'Projects'));
    await rename(path.join(b2.folder, 'Team'), path.join(b2.folder, 'Projects/Team'));
    await w.settle();
    expect(await readFile(path.join(b1.folder, 'Projects/Team/plan.txt'), 'utf8')).toBe('plan');
    expect(b1.engine.excludeList()).toEqual(['Projects/Team/assets']);
    expect(await exists(path.join(b1.folder, 'Projects/Team/assets'))).toBe(false);
    expect(await readFile(path.join(b2.folder, 'Projects/Team/assets/a.bin'), 'utf8')).toBe('asset');
  });
});
