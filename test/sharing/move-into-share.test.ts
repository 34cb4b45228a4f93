// Moving a large folder into a shared folder is an upload into the shared namespace plus a
// delete from the home (D28). That delete finishes a move whose content is already committed at
// the target: it must not be held by the mass-delete guard as if the user deleted the files.
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCredentials } from '../../src-main/engine/account.ts';
import type { CairnError } from '../../src-shared/errors.ts';
import { World, exists } from '../engine/helpers.ts';

let w: World;
beforeAll(async () => {
  w = await World.create();
});
afterAll(async () => {
  await w.cleanup();
});

describe('a big folder moved into a shared folder', () => {
  it('is not held by the mass-delete guard; every device follows', async () => {
    // The guard's 1000-file limit scaled down to 20 (the code path is the same; 30 files move).
    const limits = { massDelete: { max: 20, ratio: 0.5, min: 10 } };
    const a1 = await w.device('A1', limits);
    const a2 = await w.device('A2', limits);
    const emailB = `b${Date.now()}${Math.floor(Math.random() * 1e6)}@example.com`;
    const b1 = await w.deviceOf(emailB, 'B1');
    await mkdir(path.join(a1.folder, 'Team'), { recursive: true });
    await writeFile(path.join(a1.folder, 'Team/plan.txt'), 'the plan');
    await writeFile(path.join(a1.folder, 'notes.txt'), 'notes');
    await mkdir(path.join(a1.folder, 'big/deep'), { recursive: true });
    for (let i = 0; i < 30; i++) await writeFile(path.join(a1.folder, i % 2 ? `big/f${i}.txt` : `big/deep/f${i}.txt`), `file ${i}`);
    await w.settle();
    const home = readCredentials(a1.home)!.home_ns;
    const client = a1.engine.remote();
    const { ns } = await client.call('share', { params: { ns: home }, body: { path: 'Team', email: emailB, role: 'editor' } });
    await w.settle();
    // 30 files leave the home: over the (scaled) limit on A1 (server deletes) and A2 (local ones).
    await rename(path.join(a1.folder, 'big'), path.join(a1.folder, 'Team/big'));
    await w.settle(30_000);
    expect(a1.engine.status().held_deletes).toBeNull();
    expect(a2.engine.status().held_deletes).toBeNull();
    expect([...a1.engine.activity(500), ...a2.engine.activity(500)].filter((x) => x.action === 'held')).toEqual([]);
    const gone = await client.call('meta', { params: { ns: home }, query: { path: 'big' } }).catch((e: unknown) => e);
    expect((gone as CairnError).code).toBe('not_found');
    const { entries } = await client.call('list', { params: { ns }, query: { path: 'big' } });
    expect(entries.length).toBe(16); // 15 files and the folder deep
    expect(await exists(path.join(a2.folder, 'big'))).toBe(false);
    expect((await readdir(path.join(a2.folder, 'Team/big/deep'))).length).toBe(15);
    expect(await exists(path.join(b1.folder, 'big'))).toBe(false);
  });
});
