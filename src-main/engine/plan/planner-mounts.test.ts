// The planner's shared-folder rules (D28: nsOf / isReadOnly / hasMount / onHeld), from a
// review; each comment says what was wrong before the fix.
import { describe, expect, it } from 'vitest';
import { node, type TreeNode, type Trees } from '../model.ts';
import { plan, type Op, type PlanOptions } from './planner.ts';

type Spec = { kind: 'file' | 'folder'; id?: string; rev?: string; hash?: string; inode?: number };

function tree(entries: Record<string, Spec>): Map<string, TreeNode> {
  const m = new Map<string, TreeNode>();
  for (const [p, s] of Object.entries(entries)) {
    m.set(p, node({ path: p, kind: s.kind, id: s.id ?? null, rev: s.kind === 'file' ? (s.rev ?? null) : null, hash: s.kind === 'file' ? (s.hash ?? null) : null, inode: s.inode ?? null }));
  }
  return m;
}

/**
 * Mounts for these tests: `V` is a shared folder where this account is a viewer, `E` one where
 * it is an editor; everything else is the home.
 */
function mounts(): PlanOptions & { held: string[] } {
  const held: string[] = [];
  const mountOf = (p: string): string | null => (['V', 'E'].find((m) => p.startsWith(`${m}/`)) ?? null);
  return {
    held,
    nsOf: (p) => mountOf(p) ?? 'home',
    isReadOnly: (p) => mountOf(p) === 'V',
    hasMount: (p) => ['V', 'E'].some((m) => m === p || m.startsWith(`${p}/`) || p === ''),
    onHeld: (p) => held.push(p),
  };
}

// The shared folders' mount points and one file each, in sync on both sides.
const base: Record<string, Spec> = {
  V: { kind: 'folder', id: 'mV', inode: 20 },
  'V/doc.txt': { kind: 'file', id: 'dV', rev: 'r1', hash: 'hv', inode: 21 },
  E: { kind: 'folder', id: 'mE', inode: 30 },
  'E/doc.txt': { kind: 'file', id: 'dE', rev: 'r1', hash: 'he', inode: 31 },
};
const synced = (extra: Record<string, Spec>): Trees['synced'] => tree({ ...base, ...extra });

const deletesOnServer = (ops: Op[]): string[] => ops.filter((o) => o.type === 'deleteRemote').map((o) => (o as { path: string }).path);

describe('review: planner and shared folders', () => {
  // Passing check: a move into a folder this account can edit is an upload plus a delete.
  it('a file moved from the home into an editor folder: upload into it, then delete from the home', () => {
    const a: Spec = { kind: 'file', id: 'fa', rev: 'ra', hash: 'ha', inode: 11 };
    const t: Trees = { synced: synced({ 'a.txt': a }), remote: tree({ ...base, 'a.txt': a }), local: tree({ ...base, 'E/a.txt': { kind: 'file', hash: 'ha', inode: 11 } }) };
    const m = mounts();
    const ops = plan(t, m);
    expect(ops.filter((o) => o.type === 'upload').map((o) => (o as { path: string }).path)).toEqual(['E/a.txt']);
    // The home copy is deleted only once the upload committed (a refused upload keeps it).
    expect(deletesOnServer(ops)).toEqual([]);
    expect(m.held).toEqual([]);
    const up: Spec = { kind: 'file', id: 'fe', rev: 're', hash: 'ha', inode: 11 };
    const after: Trees = { synced: synced({ 'a.txt': a, 'E/a.txt': up }), remote: tree({ ...base, 'a.txt': a, 'E/a.txt': up }), local: t.local };
    expect(deletesOnServer(plan(after, mounts()))).toEqual(['a.txt']);
  });

  // Fixed: a move from a writable place into a viewer's folder is planned per path as upload +
  // delete; the upload is then held (nothing may be written in V) but the delete is not. The
  // file leaves the server and every other device, and lives on only on this device (plus the
  // server's history until the retention window ends). Suggested: when the target of an
  // upload is held read-only, the source's deleteRemote of the same inode (or the whole
  // cross-namespace move) must be held too / turned back into a download of the original.
  it('a file moved from the home into a viewer folder: nothing is deleted on the server, the original comes back, the copy is held', () => {
    const a: Spec = { kind: 'file', id: 'fa', rev: 'ra', hash: 'ha', inode: 11 };
    const t: Trees = { synced: synced({ 'a.txt': a }), remote: tree({ ...base, 'a.txt': a }), local: tree({ ...base, 'V/a.txt': { kind: 'file', hash: 'ha', inode: 11 } }) };
    const m = mounts();
    const ops = plan(t, m);
    expect(m.held).toEqual(['V/a.txt']);
    expect(deletesOnServer(ops)).toEqual([]);
  });

  it('a folder moved from an editor folder into a viewer folder: nothing is deleted in the editor folder, the copy is held', () => {
    const d: Record<string, Spec> = {
      'E/proj': { kind: 'folder', id: 'fp', inode: 40 },
      'E/proj/x.txt': { kind: 'file', id: 'fx', rev: 'rx', hash: 'hx', inode: 41 },
    };
    const t: Trees = {
      synced: synced(d),
      remote: tree({ ...base, ...d }),
      local: tree({ ...base, 'V/proj': { kind: 'folder', inode: 40 }, 'V/proj/x.txt': { kind: 'file', hash: 'hx', inode: 41 } }),
    };
    const m = mounts();
    const ops = plan(t, m);
    expect(m.held).toEqual(expect.arrayContaining(['V/proj/x.txt']));
    expect(deletesOnServer(ops)).toEqual([]);
  });

  // Passing check: inside the viewer folder nothing is written; a local delete comes back.
  it('a viewer deleting a folder: it comes back with its files, nothing is deleted on the server', () => {
    const d: Record<string, Spec> = {
      'V/sub': { kind: 'folder', id: 'vs', inode: 50 },
      'V/sub/y.txt': { kind: 'file', id: 'vy', rev: 'ry', hash: 'hy', inode: 51 },
    };
    const t: Trees = { synced: synced(d), remote: tree({ ...base, ...d }), local: tree(base) };
    const ops = plan(t, mounts());
    expect(deletesOnServer(ops)).toEqual([]);
    expect(ops.map((o) => `${o.type} ${(o as { path: string }).path}`).sort()).toEqual(['download V/sub/y.txt', 'mkdirLocal V/sub']);
  });

  // Fixed (design gap): moving a whole shared folder into another shared folder is planned as
  // "upload its content into the other namespace, delete the mount point" — the executor's
  // deleteRemote then LEAVES the first shared folder (or, for its owner, UNSHARES it from
  // every member) and copies its content to the second folder's members, who may not be
  // members of the first. Issue 6: "A folder can't be shared inside another shared folder".
  // Suggested: hold such a move (report it) instead of planning it per path.
  it('a mount point moved into another shared folder: neither left/unshared nor copied to the other members', () => {
    const t: Trees = {
      synced: synced({}),
      remote: tree(base),
      local: tree({ E: base.E!, 'E/doc.txt': base['E/doc.txt']!, 'E/V': { kind: 'folder', inode: 20 }, 'E/V/doc.txt': { kind: 'file', hash: 'hv', inode: 21 } }),
    };
    const ops = plan(t, mounts());
    expect(deletesOnServer(ops)).not.toContain('V');
    expect(ops.filter((o) => o.type === 'upload').map((o) => (o as { path: string }).path)).not.toContain('E/V/doc.txt');
  });
});
