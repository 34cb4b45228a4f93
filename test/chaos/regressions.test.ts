/**
 * Deterministic engine tests for bugs the chaos harness found (FINDINGS.md), each replaying
 * the shrunk scenario with real engines and a real server, without faults or timing luck: the
 * device under test runs without a watcher, so it scans only when the engine decides to.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ActivityItem } from '../../src-shared/control.ts';
import { Engine, collidingPart, link, mountCaseCollision } from '../../src-main/engine/index.ts';
import { World, treeOf, type Dev } from '../engine/helpers.ts';
import { RemoteClient } from '../../src-main/engine/remote/client.ts';
import { readCredentials } from '../../src-main/engine/account.ts';
import { applyChange, pull, putRemoteEntry } from '../../src-main/engine/remote/pull.ts';
import { StateDb } from '../../src-main/engine/state/db.ts';
import { Executor } from '../../src-main/engine/exec/executor.ts';
import { node } from '../../src-main/engine/model.ts';
import type { Chunker } from '../../src-main/engine/scan/chunker.ts';
import { IgnoreRules } from '../../src-main/engine/scan/ignore.ts';
import { encodeCursor } from '../../src-shared/protocol/cursor.ts';

let w: World | null = null;
afterEach(async () => {
  await w?.cleanup();
  w = null;
});

/**
 * A World (assigned to `w`, cleaned by afterEach) with one device linked but no engine running:
 * its protocol client and a state DB the test drives pull()/Executor with directly, so a race
 * found by the campaign replays in a fixed order.
 */
async function withRawDevice(
  body: (d: { ns: string; client: RemoteClient; db: StateDb; executor: () => Executor }) => Promise<void>,
): Promise<void> {
  const world = await World.create();
  w = world;
  const creds = await link(path.join(world.tmp, 'home-raw'), {
    mode: 'signup',
    server: world.server.url,
    email: world.email,
    password: world.password,
    device_name: 'raw',
  });
  const ns = creds.home_ns;
  const client = new RemoteClient({ server: creds.server, token: creds.token });
  const db = new StateDb(path.join(world.tmp, 'state.db'));
  const executor = (): Executor =>
    new Executor({
      db,
      client,
      chunker: {} as Chunker,
      root: path.join(world.tmp, 'folder'),
      homeNs: ns,
      deviceName: 'raw',
      ignore: () => new IgnoreRules(),
      log: () => undefined,
      progress: () => undefined,
    });
  try {
    await body({ ns, client, db, executor });
  } finally {
    db.close();
    await client.close();
  }
}

/**
 * #8's shared start: A and B in sync on `d2/c`; then, while B's engine is stopped, A renames
 * `d2` → `D2` (case only) and is idle. B's engine is left stopped for the test to change B.
 */
async function caseRenameWhileBStopped(): Promise<{ world: World; a: Dev; b: Dev }> {
  const world = await World.create();
  w = world;
  const a = await world.device('A');
  const b = await world.device('B', { watch: false });
  await mkdir(path.join(a.folder, 'd2'), { recursive: true });
  await writeFile(path.join(a.folder, 'd2/c'), 'c');
  await world.settle();
  await b.engine.stop();
  await rename(path.join(a.folder, 'd2'), path.join(a.folder, 'D2'));
  expect(await a.engine.waitIdle(10_000)).toBe(true);
  return { world, a, b };
}

describe('chaos findings, replayed', () => {
  it('#8 (seed 200042): a device that excluded `d2` while another renamed it `D2` keeps it excluded; its new file in `d2` goes into `D2`, and the device gets quiet', async () => {
    // While B is stopped: A renames d2 → D2 (case only); B excludes d2 and writes a new file in it.
    const { world, a, b } = await caseRenameWhileBStopped();
    b.engine = new Engine({ home: b.home, folder: b.folder, pollMs: 60_000, watch: false });
    b.engine.excludeAdd('d2');
    await writeFile(path.join(b.folder, 'd2/a'), 'new on B');
    const activity: ActivityItem[] = [];
    b.engine.on('activity', (x: ActivityItem) => activity.push(x));
    await b.engine.start();
    // Before D39 the device synced `D2` again (its exclusion stayed at `d2`), and before
    // 5bc747c it re-uploaded and deleted `D2/a` forever: settle() times out on a device that
    // never gets quiet.
    await world.settle(20_000);
    expect(b.engine.excludeList()).toEqual(['D2']);
    // The exclusion followed its folder; the unsynced file went with B's local copy into `D2`
    // on the server, then the local copy was removed as excluded. Nothing set aside or deleted.
    expect(activity.filter((x) => ['conflict', 'deleted_remote', 'error'].includes(x.action))).toEqual([]);
    expect(await readFile(path.join(a.folder, 'D2/a'), 'utf8')).toBe('new on B');
    expect(await readFile(path.join(a.folder, 'D2/c'), 'utf8')).toBe('c');
    const tb = await treeOf(b.folder);
    const ta = await treeOf(a.folder);
    expect(tb).toEqual(Object.fromEntries(Object.entries(ta).filter(([p]) => !p.startsWith('D2'))));
    expect(Object.keys(tb).filter((p) => p.toLowerCase().startsWith('d2'))).toEqual([]);
    // Quiet means quiet: another round does nothing.
    const before = activity.length;
    expect(await b.engine.waitIdle(10_000)).toBe(true);
    expect(activity.slice(before)).toEqual([]);
    expect(b.engine.integrityCheck()).toEqual([]);
  }, 60_000);

  it('#8, its original failure: a new file in a re-created local folder whose case differs from the server folder is set aside with its folder, not re-uploaded and deleted forever', async () => {
    // While B is stopped: A renames d2 → D2 (case only); B replaces d2 with a new folder holding
    // a new file — a new inode, so not the synced folder and no local move follows the rename.
    // Made before the old one is removed: a folder made after could get its inode number back
    // (ext4 reuses them), and would then be the synced folder (this test failed 1 run in 3).
    const { world, a, b } = await caseRenameWhileBStopped();
    await mkdir(path.join(b.folder, 'd2.new'));
    await writeFile(path.join(b.folder, 'd2.new/a'), 'new on B');
    await rm(path.join(b.folder, 'd2'), { recursive: true });
    await rename(path.join(b.folder, 'd2.new'), path.join(b.folder, 'd2'));
    b.engine = new Engine({ home: b.home, folder: b.folder, pollMs: 60_000, watch: false });
    const activity: ActivityItem[] = [];
    const firstConflict = new Promise<ActivityItem>((resolve) =>
      b.engine.on('activity', (x: ActivityItem) => {
        activity.push(x);
        if (x.action === 'conflict') resolve(x);
      }),
    );
    await b.engine.start();
    // The server put B's upload under its `D2`: B's folder `d2` is what collides, so the folder
    // is set aside (before 5bc747c: the file was, again and again, and its upload deleted from the server).
    expect((await firstConflict).path).toMatch(/^d2 \(conflicted copy from B \d{4}-\d\d-\d\d\)$/u);
    await world.settle(20_000);
    expect(activity.filter((x) => x.action === 'deleted_remote')).toEqual([]);
    const tree = await treeOf(b.folder);
    expect(await treeOf(a.folder)).toEqual(tree);
    const copies = Object.keys(tree).filter((p) => p.endsWith('/a'));
    expect(copies).toHaveLength(1);
    expect(await readFile(path.join(b.folder, copies[0]!), 'utf8')).toBe('new on B');
    expect(b.engine.integrityCheck()).toEqual([]);
  }, 60_000);

  it('collidingPart names the first segment that differs from the server path', () => {
    expect(collidingPart('d2/a', 'D2/a')).toBe('d2');
    expect(collidingPart('x/d2/sub/a', 'x/D2/Sub/a')).toBe('x/d2');
    expect(collidingPart('x/A', 'x/a')).toBe('x/A');
    expect(collidingPart('Shared/d2/a', 'D2/a')).toBe('Shared/d2'); // inside a shared folder's namespace
    expect(collidingPart('d2/a', 'other')).toBe('d2/a');
    expect(collidingPart('d2/a', undefined)).toBe('d2/a');
    expect(collidingPart('a', 'x/a')).toBe('a');
  });

  it('mountCaseCollision names the part of a path that collides in case with a mount point the device does not know', () => {
    const none = { mountAt: () => null };
    const knowsD1 = { mountAt: (p: string) => (p === 'd1' ? { ns: 'n', path: 'd1', role: 'owner' as const } : null) };
    expect(mountCaseCollision('D1', 'd1', none)).toBe('D1');
    expect(mountCaseCollision('D1/x/y', 'd1', none)).toBe('D1');
    expect(mountCaseCollision('a/Team/x', 'a/team', none)).toBe('a/Team');
    expect(mountCaseCollision('d1/x', 'd1', knowsD1)).toBeNull(); // the mount table is behind: a pull settles it
    expect(mountCaseCollision('d2/x', 'd1', none)).toBeNull();
    expect(mountCaseCollision('d1', undefined, none)).toBeNull();
  });

  it('#9 (seed 100097): an own folder created where the pull still holds an older folder with children does not keep those children (they moved with it)', async () => {
    await withRawDevice(async ({ ns, client, db }) => {
      // Another device: D1/sub with a child, then D1/sub moved aside (a conflicted copy, say).
      const mkdirRemote = async (p: string) => (await client.call('mkdir', { params: { ns }, body: { path: p } })).entry;
      await mkdirRemote('D1');
      await mkdirRemote('D1/sub');
      const child = await mkdirRemote('D1/sub/Empty');
      await mkdirRemote('cc');
      await client.call('move', { params: { ns }, body: { from: 'D1/sub', to: 'cc/sub' } });
      // This device has read the journal up to the child only…
      const all = await client.call('changes', { query: { cursor: encodeCursor({ ns: { [ns]: 0 } }), limit: 2000 } });
      expect(all.changes.map((c) => c.entry.path)).toEqual(['D1', 'D1/sub', 'D1/sub/Empty', 'cc', 'cc/sub']);
      for (const c of all.changes) if (c.seq <= child.seq) applyChange(db, c);
      db.setMeta('ns_seq', { [ns]: child.seq });
      db.setMeta('cursor', encodeCursor({ ns: { [ns]: child.seq } }));
      db.setMeta('mount_table', []);
      // …when its own mkdir of D1/sub succeeds and the executor writes the result at once.
      putRemoteEntry(db, await mkdirRemote('D1/sub'));
      await pull(client, db, ns);
      const remote = [...db.all('remote').values()].map((n) => n.path).sort();
      const snap = (await client.call('snapshot', { params: { ns }, query: { limit: 2000 } })).entries.filter((e) => !e.deleted && e.path !== '').map((e) => e.path).sort();
      expect(snap).toEqual(['D1', 'D1/sub', 'cc', 'cc/sub', 'cc/sub/Empty']);
      expect(remote).toEqual(snap);
    });
  });

  it('#10 (seed 300368): deleting a folder that another device has just moved away keeps the moved folder whole (the delete is re-planned after a pull)', async () => {
    await withRawDevice(async ({ ns, client, db, executor }) => {
      await client.call('mkdir', { params: { ns }, body: { path: 'd2' } });
      await client.call('mkdir', { params: { ns }, body: { path: 'd2/new' } });
      await pull(client, db, ns);
      for (const n of db.all('remote').values()) db.putSynced(n); // in sync: d2, d2/new
      // Another device moves d2 to d3 just after this device planned to delete d2 (its user
      // removed the folder): the delete reaches the server after the move.
      await client.call('move', { params: { ns }, body: { from: 'd2', to: 'd3' } });
      const ex = executor();
      const res = await ex.run([{ type: 'deleteRemote', path: 'd2', kind: 'folder', parentRev: null, files: 0 }], () => false);
      expect(res.failed.map((f) => f.error.code)).toEqual(['not_found']); // re-planned, not taken as done
      await pull(client, db, ns);
      expect([...db.all('remote').keys()].sort()).toEqual(['d3', 'd3/new']);
    });
  });

  it('#11 (seed 100605): a server answer that carries another device\'s folder move ahead of the pull does not leave that folder\'s newer children at the old path', async () => {
    await withRawDevice(async ({ ns, client, db, executor }) => {
      await client.call('mkdir', { params: { ns }, body: { path: 'd1' } });
      await client.call('mkdir', { params: { ns }, body: { path: 'd2' } });
      await pull(client, db, ns);
      // Other devices: a new folder in d2, then d2 moved to d1/moved.
      await client.call('mkdir', { params: { ns }, body: { path: 'd2/new' } });
      await client.call('move', { params: { ns }, body: { from: 'd2', to: 'd1/moved' } });
      // This device, not having pulled those yet, creates d1/moved (its own local folder): the
      // server answers with the existing folder, moved there a moment ago.
      const ex = executor();
      const res = await ex.run([{ type: 'mkdirRemote', path: 'd1/moved', local: node({ path: 'd1/moved', kind: 'folder' }) }], () => false);
      expect(res.failed).toEqual([]);
      await pull(client, db, ns);
      expect([...db.all('remote').keys()].sort()).toEqual(['d1', 'd1/moved', 'd1/moved/new']);
    });
  });

  it('#12 (seed 100733): deleting a folder from which another device has just moved a subfolder out keeps that subfolder whole', async () => {
    await withRawDevice(async ({ ns, client, db, executor }) => {
      for (const p of ['d1', 'd1/sub', 'd1/sub/new']) await client.call('mkdir', { params: { ns }, body: { path: p } });
      await pull(client, db, ns);
      for (const n of db.all('remote').values()) db.putSynced(n);
      // Another device moves d1/sub out; then this device, not having pulled that, deletes d1
      // (its user removed the folder). The server deletes what is left in d1.
      await client.call('move', { params: { ns }, body: { from: 'd1/sub', to: 'd3' } });
      const ex = executor();
      const res = await ex.run([{ type: 'deleteRemote', path: 'd1', kind: 'folder', parentRev: null, files: 0 }], () => false);
      expect(res.failed).toEqual([]);
      await pull(client, db, ns);
      expect([...db.all('remote').keys()].sort()).toEqual(['d3', 'd3/new']);
    });
  });

  it('#13 (share seed 910040): a local folder whose name differs only in case from an excluded shared folder is set aside, not refused forever', async () => {
    w = await World.create();
    const a = await w.device('A');
    await w.deviceOf(`b${Date.now()}@example.com`, 'B');
    await mkdir(path.join(a.folder, 'd1'), { recursive: true });
    await writeFile(path.join(a.folder, 'd1/img.bin'), 'x');
    await w.settle();
    // d1 becomes a shared folder (an invitation is enough: it is a mount point in A's home),
    // then A excludes it, so A no longer sees it, and A's user creates `D1/x`.
    const creds = readCredentials(a.home)!;
    const client = new RemoteClient({ server: creds.server, token: creds.token });
    try {
      await client.call('share', { params: { ns: creds.home_ns }, body: { path: 'd1', email: 'someone@example.com', role: 'editor' } });
      a.engine.excludeAdd('d1');
      await w.settle();
      await mkdir(path.join(a.folder, 'D1/x'), { recursive: true });
      // Before: every upload into D1 was refused (`mount_point`) and retried, never quiet.
      expect(await a.engine.waitIdle(15_000)).toBe(true);
      const tree = await treeOf(a.folder);
      const aside = Object.keys(tree).filter((p) => /^D1 \(conflicted copy from A \d{4}-\d\d-\d\d\)$/u.test(p));
      expect(aside).toHaveLength(1);
      expect(tree[`${aside[0]}/x`]).toBe('/');
      expect(tree.D1).toBeUndefined();
      const home = (await client.call('list', { params: { ns: creds.home_ns }, query: { path: '' } })).entries.map((e) => e.path).sort();
      expect(home).toEqual([aside[0], 'd1']);
    } finally {
      await client.close();
    }
  });

  it('#14 (share seed 900187): excluding a folder that holds the kept copy of a lost shared folder keeps both, and the device gets quiet', async () => {
    w = await World.create();
    const a = await w.device('A');
    const emailB = `b${Date.now()}@example.com`;
    const b = await w.deviceOf(emailB, 'B');
    await mkdir(path.join(a.folder, 'd2'), { recursive: true });
    await writeFile(path.join(a.folder, 'd2/notes.txt'), 'shared by A');
    await mkdir(path.join(b.folder, 'd1'), { recursive: true });
    await writeFile(path.join(b.folder, 'd1/mine.txt'), 'B');
    await w.settle();
    const ca = readCredentials(a.home)!;
    const cb = readCredentials(b.home)!;
    const A = new RemoteClient({ server: ca.server, token: ca.token });
    const B = new RemoteClient({ server: cb.server, token: cb.token });
    try {
      // B accepts A's d2 inside its own d1, then A removes B: d1/sub is a kept copy (D28).
      const { ns } = await A.call('share', { params: { ns: ca.home_ns }, body: { path: 'd2', email: emailB, role: 'editor' } });
      const inv = (await B.call('listShares')).invitations[0]!;
      await B.call('acceptInvitation', { params: { id: inv.id }, body: { path: 'd1/sub' } });
      await w.settle();
      await A.call('removeMember', { params: { ns }, body: { email: emailB } });
      await w.settle();
      expect(b.engine.status().issues.map((i) => [i.path, i.code])).toEqual([['d1/sub', 'shared_folder_removed']]);
      // B excludes d1. Before: d1 was kept for the copy (D37), then dropped from the kept list
      // because the copy's items counted as syncable, adopted again, kept again… never quiet.
      b.engine.excludeAdd('d1');
      expect(await b.engine.waitIdle(15_000)).toBe(true);
      expect(await treeOf(b.folder)).toEqual({ d1: '/', 'd1/sub': '/', 'd1/sub/notes.txt': expect.any(String) });
      expect(await readFile(path.join(b.folder, 'd1/sub/notes.txt'), 'utf8')).toBe('shared by A');
      expect(b.engine.status().issues.map((i) => `${i.path} ${i.code}`).sort()).toEqual(['d1 kept_ignored', 'd1/sub shared_folder_removed']);
      // B's d1 stays on the server (only excluded here), without the kept copy.
      const home = (await B.call('list', { params: { ns: cb.home_ns }, query: { path: 'd1' } })).entries.map((e) => e.path);
      expect(home).toEqual(['d1/mine.txt']);
    } finally {
      await A.close();
      await B.close();
    }
  });
});
