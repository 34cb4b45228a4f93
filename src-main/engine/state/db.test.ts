import { describe, expect, it } from 'vitest';
import { StateDb } from './db.ts';
import { node } from '../model.ts';
import { restrictToChanged } from '../plan/planner.ts';

const H = 'a'.repeat(64);

describe('StateDb', () => {
  it('stores trees, moves and deletes subtrees by path prefix', () => {
    const db = new StateDb(':memory:');
    db.tx(() => {
      db.put('synced', node({ path: 'a', kind: 'folder', id: 'A' }));
      db.put('synced', node({ path: 'a/x', kind: 'file', id: 'X', hash: H, rev: 'r1' }));
      db.put('synced', node({ path: 'a/b', kind: 'folder', id: 'B' }));
      db.put('synced', node({ path: 'a/b/y', kind: 'file', id: 'Y', hash: H, rev: 'r1' }));
      db.put('synced', node({ path: 'ab', kind: 'file', id: 'AB', hash: H, rev: 'r1' }));
    });
    expect(db.integrityCheck()).toEqual([]);
    db.moveSubtree('synced', 'a', 'c');
    expect([...db.all('synced').keys()].sort()).toEqual(['ab', 'c', 'c/b', 'c/b/y', 'c/x']);
    db.removeSubtree('synced', 'c/b');
    expect([...db.all('synced').keys()].sort()).toEqual(['ab', 'c', 'c/x']);
    expect(db.get('synced', 'c/x')?.rev).toBe('r1');
    expect(db.integrityCheck()).toEqual([]);
  });

  it('childrenLite returns exactly the direct children of a folder, astral names included', () => {
    const db = new StateDb(':memory:');
    const paths = ['a', 'a/x', 'a/😀.txt', 'a/😀', 'a/😀/deep', 'a/b', 'a/b/y', 'a-b', 'a0', 'ab', 'z', 'é', 'é/in'];
    db.tx(() => {
      for (const p of paths) db.put('local', node({ path: p, kind: p.includes('.') || p.endsWith('x') || p.endsWith('y') ? 'file' : 'folder', hash: H }));
    });
    expect([...db.childrenLite('local', '').keys()].sort()).toEqual(['a', 'a-b', 'a0', 'ab', 'z', 'é']);
    expect([...db.childrenLite('local', 'a').keys()].sort()).toEqual(['b', 'x', '😀', '😀.txt']);
    expect([...db.childrenLite('local', 'a/😀').keys()]).toEqual(['deep']);
    expect([...db.childrenLite('local', 'é').keys()]).toEqual(['in']);
    expect(db.childrenLite('local', 'a/x').size).toBe(0);
    // The same rows as getLite (no block lists).
    expect(db.childrenLite('local', 'a').get('x')).toEqual(db.getLite('local', 'a/x'));
  });

  it('putSynced keeps one entry id at one path (a stale row loses the id)', () => {
    const db = new StateDb(':memory:');
    db.putSynced(node({ path: 'old', kind: 'folder', id: 'F' }));
    db.putSynced(node({ path: 'new', kind: 'folder', id: 'F' }));
    db.putSynced(node({ path: 'new', kind: 'folder', id: 'F' }));
    expect(db.get('synced', 'new')?.id).toBe('F');
    expect(db.get('synced', 'old')?.id).toBeNull();
    expect(db.integrityCheck()).toEqual([]);
  });

  it('integrityCheck finds orphans and duplicate ids', () => {
    const db = new StateDb(':memory:');
    db.put('remote', node({ path: 'p/q', kind: 'file', id: 'Q', hash: H }));
    db.put('remote', node({ path: 'r', kind: 'file', id: 'Q', hash: H }));
    const problems = db.integrityCheck();
    expect(problems.some((p) => p.includes('no parent'))).toBe(true);
    expect(problems.some((p) => p.includes('id Q'))).toBe(true);
  });

  it('keeps a block index, op log, meta, activity and issues', () => {
    const db = new StateDb(':memory:');
    db.setBlocks('f', [{ hash: H, offset: 0, length: 10 }]);
    db.moveBlocks('f', 'g');
    expect(db.findBlock(H)).toEqual([{ path: 'g', offset: 0, length: 10, file: null }]);
    // With the local tree's record of the file: the stat its blocks were hashed at.
    db.put('local', node({ path: 'g', kind: 'file', hash: H, size: 10, mtime: 5, inode: 7, ctime: 6, hashedAt: 9 }));
    expect(db.findBlock(H)).toEqual([{ path: 'g', offset: 0, length: 10, file: { inode: 7, size: 10, mtime: 5, ctime: 6, hashedAt: 9 } }]);
    const id = db.opBegin('upload', 'g', { x: 1 });
    expect(db.opsPending()).toHaveLength(1);
    db.opEnd(id);
    expect(db.opsPending()).toHaveLength(0);
    db.setMeta('cursor', 'c1');
    expect(db.getMeta('cursor', null)).toBe('c1');
    db.logActivity({ path: 'g', action: 'uploaded', device_name: null, detail: null });
    expect(db.activity(10)[0]?.action).toBe('uploaded');
    db.setIssue({ path: 'l', code: 'symlink', message: 'm', action: 'a' });
    db.setIssue({ path: 'l', code: 'symlink', message: 'm2', action: 'a' });
    expect(db.issues()).toHaveLength(1);
    db.clearIssue('l');
    expect(db.issues()).toHaveLength(0);
  });

  it('changedTrees selects exactly the paths where a side differs from the merge base', () => {
    const db = new StateDb(':memory:');
    const f = (path: string, x: Partial<Parameters<typeof node>[0]> = {}) => node({ path, kind: 'file', hash: H, id: `i-${path}`, rev: 'r1', ...x });
    for (const t of ['local', 'remote', 'synced'] as const) {
      for (const p of ['same', 'editL', 'editR', 'exec', 'goneL', 'goneR', 'kindL']) db.put(t, f(p));
      db.put(t, node({ path: 'dir', kind: 'folder', id: t === 'remote' ? 'other-id' : 'D' }));
      db.put(t, f('x/in-excluded'));
    }
    db.put('local', f('editL', { hash: 'b'.repeat(64) }));
    db.put('remote', f('editR', { rev: 'r2' }));
    db.put('local', f('exec', { executable: true }));
    db.remove('local', 'goneL');
    db.remove('remote', 'goneR');
    db.put('local', node({ path: 'kindL', kind: 'folder' }));
    db.put('local', f('newL'));
    db.put('remote', f('newR'));
    const full = { remote: db.all('remote'), local: db.all('local'), synced: db.all('synced') };
    const fromSql = db.changedTrees(['x']);
    const reference = restrictToChanged(full, ['x']);
    for (const t of ['local', 'remote', 'synced'] as const) expect([...fromSql[t].keys()].sort()).toEqual([...reference[t].keys()].sort());
    expect([...new Set([...fromSql.local.keys(), ...fromSql.remote.keys(), ...fromSql.synced.keys()])].sort()).toEqual(['dir', 'editL', 'editR', 'exec', 'goneL', 'goneR', 'kindL', 'newL', 'newR', 'x/in-excluded']);
  });
});
