// Shared folders end to end (issue 6): two accounts, three real engines against a real
// server. Account A (devices A1, A2) owns "Team" and shares it with account B (device B1).
// Each step builds on the previous one, like a user would go through them.
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCredentials } from '../../src-main/engine/account.ts';
import { RemoteClient } from '../../src-main/engine/remote/client.ts';
import { World, exists, treeOf, until, type Dev } from '../engine/helpers.ts';

let w: World;
let a1: Dev;
let a2: Dev;
let b1: Dev;
let ca: RemoteClient;
let cb: RemoteClient;
let ns: string;
const emailB = `b${Date.now()}${Math.floor(Math.random() * 1e6)}@example.com`;

function clientOf(d: Dev): RemoteClient {
  const c = readCredentials(d.home);
  if (!c) throw new Error(`${d.name} has no credentials`);
  return new RemoteClient({ server: c.server, token: c.token });
}

/** Subtree of `tree` under `prefix`, re-keyed relative to it. */
function under(tree: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tree)) if (k.startsWith(`${prefix}/`)) out[k.slice(prefix.length + 1)] = v;
  return out;
}

const issuesOf = (d: Dev, code: string): string[] => d.engine.status().issues.filter((i) => i.code === code).map((i) => i.path).sort();

beforeAll(async () => {
  w = await World.create();
  a1 = await w.device('A1');
  a2 = await w.device('A2');
  b1 = await w.deviceOf(emailB, 'B1');
  ca = clientOf(a1);
  cb = clientOf(b1);
});
afterAll(async () => {
  await ca?.close();
  await cb?.close();
  await w.cleanup();
});

describe('shared folders through the engine (2 accounts, 3 devices)', () => {
  it('share an existing folder, accept: it syncs to the invitee without re-uploading', async () => {
    await mkdir(path.join(a1.folder, 'Team/docs'), { recursive: true });
    await writeFile(path.join(a1.folder, 'Team/plan.txt'), 'the plan');
    await writeFile(path.join(a1.folder, 'Team/docs/spec.md'), '# spec');
    await writeFile(path.join(b1.folder, 'mine.txt'), 'B home file');
    await w.settle();
    const up0 = a1.engine.stats().bytes_up;
    const down0 = a2.engine.stats().bytes_down;
    const home = readCredentials(a1.home)!.home_ns;
    const r = await ca.call('share', { params: { ns: home }, body: { path: 'Team', email: emailB, role: 'editor' } });
    ns = r.ns;
    const { invitations } = await cb.call('listShares');
    expect(invitations.map((i) => i.ns)).toEqual([ns]);
    await cb.call('acceptInvitation', { params: { id: invitations[0]!.id }, body: { path: 'Shared/Team' } });
    await w.settle();
    const ta = await treeOf(a1.folder);
    expect(await treeOf(a2.folder)).toEqual(ta);
    const tb = await treeOf(b1.folder);
    expect(under(tb, 'Shared/Team')).toEqual(under(ta, 'Team'));
    expect(tb['mine.txt']).toBeDefined();
    expect(ta['mine.txt']).toBeUndefined(); // homes stay apart
    // Sharing moved entries between namespaces on the server; the owner's devices moved nothing.
    expect(a1.engine.stats().bytes_up - up0).toBe(0);
    expect(a2.engine.stats().bytes_down - down0).toBe(0);
    expect(issuesOf(b1, 'read_only')).toEqual([]);
  });

  it('editors change it both ways', async () => {
    await writeFile(path.join(b1.folder, 'Shared/Team/plan.txt'), 'the plan, edited by B');
    await writeFile(path.join(b1.folder, 'Shared/Team/from-b.txt'), 'new from B');
    await w.settle();
    expect(await readFile(path.join(a2.folder, 'Team/plan.txt'), 'utf8')).toBe('the plan, edited by B');
    expect(await readFile(path.join(a1.folder, 'Team/from-b.txt'), 'utf8')).toBe('new from B');
    await writeFile(path.join(a2.folder, 'Team/docs/from-a2.md'), 'A2 wrote this');
    await rm(path.join(a2.folder, 'Team/from-b.txt'));
    await w.settle();
    expect(await readFile(path.join(b1.folder, 'Shared/Team/docs/from-a2.md'), 'utf8')).toBe('A2 wrote this');
    expect(await exists(path.join(b1.folder, 'Shared/Team/from-b.txt'))).toBe(false);
    // The history of a shared file is reachable from either account's view path.
    const revs = await b1.engine.history('Shared/Team/plan.txt');
    expect(revs.length).toBeGreaterThanOrEqual(2);
  });

  it('moves across namespaces: into and out of the shared folder, nothing lost', async () => {
    await writeFile(path.join(a1.folder, 'notes.txt'), 'A home notes');
    await w.settle();
    await rename(path.join(a1.folder, 'notes.txt'), path.join(a1.folder, 'Team/notes.txt'));
    await rename(path.join(a1.folder, 'Team/docs'), path.join(a1.folder, 'docs-out'));
    await w.settle();
    expect(await readFile(path.join(b1.folder, 'Shared/Team/notes.txt'), 'utf8')).toBe('A home notes');
    expect(await exists(path.join(b1.folder, 'Shared/Team/docs'))).toBe(false);
    expect(await readFile(path.join(a2.folder, 'docs-out/spec.md'), 'utf8')).toBe('# spec');
    expect(await readFile(path.join(a2.folder, 'docs-out/from-a2.md'), 'utf8')).toBe('A2 wrote this');
    expect(await exists(path.join(a2.folder, 'notes.txt'))).toBe(false);
    // The server's view agrees: the shared namespace lost docs/, the home gained docs-out/.
    const inNs = (await cb.call('list', { params: { ns }, query: { path: '' } })).entries.map((e) => e.path).sort();
    expect(inNs).toEqual(['from-b.txt', 'notes.txt', 'plan.txt'].filter((p) => p !== 'from-b.txt'));
    const deleted = (await cb.call('listDeleted', { params: { ns }, query: {} })).entries.map((e) => e.path);
    expect(deleted).toEqual(expect.arrayContaining(['docs']));
    // The engine lists them at view paths, from the mount point and from the root.
    expect((await b1.engine.deleted('Shared/Team')).map((e) => e.path)).toEqual(expect.arrayContaining(['Shared/Team/docs']));
    expect((await b1.engine.deleted('')).map((e) => e.path)).toEqual(expect.arrayContaining(['Shared/Team/docs']));
  });

  it('a member renames the shared folder on their side; the others are unaffected', async () => {
    await rename(path.join(b1.folder, 'Shared/Team'), path.join(b1.folder, 'Team (from A)'));
    await w.settle();
    const acct = await cb.call('account');
    expect(acct.namespaces.find((n) => n.ns === ns)?.mount_path).toBe('Team (from A)');
    await writeFile(path.join(b1.folder, 'Team (from A)/after-rename.txt'), 'still shared');
    await w.settle();
    expect(await readFile(path.join(a2.folder, 'Team/after-rename.txt'), 'utf8')).toBe('still shared');
    expect(await exists(path.join(a1.folder, 'Team (from A)'))).toBe(false);
    expect(under(await treeOf(b1.folder), 'Team (from A)')).toEqual(under(await treeOf(a1.folder), 'Team'));
  });

  it('a viewer edits nothing on the server: edits become local conflicted copies, deletes are undone', async () => {
    const { members } = await ca.call('shareInfo', { params: { ns } });
    const bId = members.find((m) => m.email === emailB)!;
    await ca.call('setMemberRole', { params: { ns }, body: { email: emailB, role: 'viewer' } });
    void bId;
    await w.settle();
    const before = await treeOf(a1.folder);
    const dir = path.join(b1.folder, 'Team (from A)');
    await writeFile(path.join(dir, 'plan.txt'), 'B tries to edit');
    await writeFile(path.join(dir, 'b-new.txt'), 'B tries to add');
    await rm(path.join(dir, 'notes.txt'));
    await w.settle();
    // Nothing reached the owner's devices.
    expect(await treeOf(a1.folder)).toEqual(before);
    expect(await treeOf(a2.folder)).toEqual(before);
    // B's device shows the server's content again, keeps B's edit as a conflicted copy and the
    // new file as is, both reported as held on this device.
    expect(await readFile(path.join(dir, 'plan.txt'), 'utf8')).toBe('the plan, edited by B');
    expect(await readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('A home notes');
    const names = await readdir(dir);
    const copy = names.find((n) => n.startsWith('plan (conflicted copy from B1'));
    expect(copy).toBeDefined();
    expect(await readFile(path.join(dir, copy!), 'utf8')).toBe('B tries to edit');
    expect(issuesOf(b1, 'read_only')).toEqual([`Team (from A)/${copy}`, 'Team (from A)/b-new.txt'].sort());
    // The owner's edits still flow to the viewer.
    await writeFile(path.join(a1.folder, 'Team/plan.txt'), 'owner edit after the role change');
    await w.settle();
    expect(await readFile(path.join(dir, 'plan.txt'), 'utf8')).toBe('owner edit after the role change');
  });

  it('removed from the folder: the local copy stays, stops syncing, and is reported', async () => {
    await ca.call('removeMember', { params: { ns }, body: { email: emailB } });
    await w.settle();
    const dir = path.join(b1.folder, 'Team (from A)');
    expect(await readFile(path.join(dir, 'plan.txt'), 'utf8')).toBe('owner edit after the role change');
    expect(issuesOf(b1, 'shared_folder_removed')).toEqual(['Team (from A)']);
    expect(issuesOf(b1, 'read_only')).toEqual([]);
    await writeFile(path.join(a1.folder, 'Team/plan.txt'), 'owner edit after removal');
    await writeFile(path.join(dir, 'local-after-removal.txt'), 'B keeps this');
    await w.settle();
    expect(await readFile(path.join(dir, 'plan.txt'), 'utf8')).toBe('owner edit after the role change');
    expect(await exists(path.join(a1.folder, 'Team/local-after-removal.txt'))).toBe(false);
    // B's own home never received the detached copy either.
    const bHome = (await cb.call('list', { params: { ns: readCredentials(b1.home)!.home_ns }, query: { path: '' } })).entries.map((e) => e.path);
    expect(bHome).not.toContain('Team (from A)');
    // Moving the kept copy elsewhere makes it B's own files.
    await rename(dir, path.join(b1.folder, 'Kept copy'));
    await w.settle();
    expect(issuesOf(b1, 'shared_folder_removed')).toEqual([]);
    const bHome2 = (await cb.call('list', { params: { ns: readCredentials(b1.home)!.home_ns }, query: { path: 'Kept copy' } })).entries.map((e) => e.path);
    expect(bHome2).toEqual(expect.arrayContaining(['Kept copy/plan.txt', 'Kept copy/local-after-removal.txt']));
  });

  it('leave by deleting the shared folder locally: the owner keeps everything', async () => {
    await ca.call('share', { params: { ns }, body: { path: '', email: emailB, role: 'editor' } });
    const { invitations } = await cb.call('listShares');
    await cb.call('acceptInvitation', { params: { id: invitations[0]!.id }, body: { path: 'Again' } });
    await w.settle();
    expect(await readFile(path.join(b1.folder, 'Again/plan.txt'), 'utf8')).toBe('owner edit after removal');
    const ownerTree = await treeOf(a1.folder);
    await rm(path.join(b1.folder, 'Again'), { recursive: true });
    // Leaving by delete is always asked first, however small the folder.
    await until(() => b1.engine.status().held_deletes?.sample.includes('Again'), 10_000, 'the leave held for confirmation');
    expect((await cb.call('listShares')).shares.map((s) => s.ns)).toContain(ns);
    b1.engine.confirmDeletes();
    await w.settle();
    const { shares } = await cb.call('listShares');
    expect(shares.map((s) => s.ns)).not.toContain(ns);
    expect(await treeOf(a1.folder)).toEqual(ownerTree);
    expect(await treeOf(a2.folder)).toEqual(ownerTree);
    expect(await exists(path.join(b1.folder, 'Again'))).toBe(false);
  });
});
