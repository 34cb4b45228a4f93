import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isInside, parentPath } from '../../../src-shared/paths.ts';
import { node, type TreeNode, type Trees } from '../model.ts';
import { massDeleteCheck, plan, planMoves, restrictToChanged, type Op } from './planner.ts';

// ---- a tiny in-memory world: local disk, server, merge base --------------------------------

interface LFile { kind: 'file' | 'folder'; content: string; inode: number }
interface RFile { kind: 'file' | 'folder'; content: string; id: string; rev: string }
interface World { local: Map<string, LFile>; remote: Map<string, RFile>; synced: Map<string, TreeNode>; seq: number }

function trees(w: World): Trees {
  const local = new Map<string, TreeNode>();
  for (const [p, f] of w.local) local.set(p, node({ path: p, kind: f.kind, hash: f.kind === 'file' ? f.content : null, inode: f.inode }));
  const remote = new Map<string, TreeNode>();
  for (const [p, f] of w.remote) remote.set(p, node({ path: p, kind: f.kind, hash: f.kind === 'file' ? f.content : null, id: f.id, rev: f.kind === 'file' ? f.rev : null }));
  return { local, remote, synced: new Map(w.synced) };
}

function ensureParents<T extends { kind: string }>(m: Map<string, T>, p: string, make: () => T): void {
  for (let q = parentPath(p); q !== ''; q = parentPath(q)) if (!m.has(q)) m.set(q, make());
}

function moveIn<T>(m: Map<string, T>, from: string, to: string): void {
  for (const [p, v] of [...m]) {
    if (isInside(p, from)) {
      m.delete(p);
      m.set(p === from ? to : to + p.slice(from.length), v);
    }
  }
}

/** Renames the local version aside; the merge base forgets its inode so it is no move. */
function aside(w: World, p: string): void {
  moveIn(w.local, p, copyName(w, p));
  for (const [q, s] of w.synced) if (isInside(q, p)) w.synced.set(q, { ...s, inode: null });
}

function copyName(w: World, p: string): string {
  let n = 1;
  for (;;) {
    const c = `${p} (cc${n})`;
    if (!w.local.has(c) && !w.remote.has(c)) return c;
    n++;
  }
}

/** Applies one op the way the executor does, including its on-disk / parent_rev re-checks. */
function apply(w: World, op: Op): void {
  const id = (): string => `id${++w.seq}`;
  const ino = (): number => ++w.seq;
  const baseOf = (p: string, l: LFile | undefined, r: RFile): TreeNode =>
    node({ path: p, kind: r.kind, id: r.id, rev: r.kind === 'file' ? r.rev : null, hash: r.kind === 'file' ? r.content : null, inode: l?.inode ?? null });
  switch (op.type) {
    case 'upload': {
      const l = w.local.get(op.path);
      if (!l || l.kind !== 'file' || l.content !== op.local.hash) return; // changed meanwhile: replan
      const cur = w.remote.get(op.path);
      if ((cur?.kind === 'file' ? cur.rev : null) !== op.parentRev || (cur && cur.kind !== 'file')) {
        aside(w, op.path); // 409: the local version becomes a conflicted copy
        return;
      }
      const r: RFile = { kind: 'file', content: l.content, id: cur?.id ?? id(), rev: `r${++w.seq}` };
      ensureParents(w.remote, op.path, () => ({ kind: 'folder', content: '', id: id(), rev: '' }));
      w.remote.set(op.path, r);
      w.synced.set(op.path, baseOf(op.path, l, r));
      return;
    }
    case 'download': {
      const l = w.local.get(op.path);
      const r = w.remote.get(op.path);
      if (!r || r.kind !== 'file' || r.rev !== op.remote.rev) return;
      const matches = op.expect ? l?.inode === op.expect.inode && l?.content === op.expect.hash : !l;
      if (!matches && l) aside(w, op.path);
      ensureParents(w.local, op.path, () => ({ kind: 'folder', content: '', inode: ino() }));
      const nl: LFile = { kind: 'file', content: r.content, inode: ino() };
      w.local.set(op.path, nl);
      w.synced.set(op.path, baseOf(op.path, nl, r));
      return;
    }
    case 'mkdirLocal': {
      const l = w.local.get(op.path);
      if (l && l.kind !== 'folder') return;
      ensureParents(w.local, op.path, () => ({ kind: 'folder', content: '', inode: ino() }));
      const nl = l ?? { kind: 'folder' as const, content: '', inode: ino() };
      w.local.set(op.path, nl);
      const r = w.remote.get(op.path);
      if (r) w.synced.set(op.path, baseOf(op.path, nl, r));
      return;
    }
    case 'mkdirRemote': {
      const r = w.remote.get(op.path);
      if (r && r.kind !== 'folder') return;
      ensureParents(w.remote, op.path, () => ({ kind: 'folder', content: '', id: id(), rev: '' }));
      const nr = r ?? { kind: 'folder' as const, content: '', id: id(), rev: '' };
      w.remote.set(op.path, nr);
      w.synced.set(op.path, baseOf(op.path, w.local.get(op.path), nr));
      return;
    }
    case 'moveLocal':
      if (w.local.has(op.to) || w.local.get(op.from)?.inode !== op.local.inode) return;
      moveIn(w.local, op.from, op.to);
      ensureParents(w.local, op.to, () => ({ kind: 'folder', content: '', inode: ino() }));
      moveIn(w.synced, op.from, op.to);
      for (const [p, s] of [...w.synced]) if (isInside(p, op.to)) w.synced.set(p, { ...s, path: p });
      return;
    case 'moveRemote':
      if (w.remote.has(op.to) || !w.remote.has(op.from)) return;
      moveIn(w.remote, op.from, op.to);
      ensureParents(w.remote, op.to, () => ({ kind: 'folder', content: '', id: id(), rev: '' }));
      moveIn(w.synced, op.from, op.to);
      for (const [p, s] of [...w.synced]) if (isInside(p, op.to)) w.synced.set(p, { ...s, path: p });
      return;
    case 'deleteLocal': {
      const l = w.local.get(op.path);
      if (!l || l.inode !== op.expect.inode || (l.kind === 'file' && l.content !== op.expect.hash)) return;
      if (l.kind === 'folder' && [...w.local.keys()].some((p) => p !== op.path && isInside(p, op.path))) return;
      w.local.delete(op.path);
      w.synced.delete(op.path);
      return;
    }
    case 'deleteRemote': {
      const r = w.remote.get(op.path);
      if (!r) return;
      if (r.kind === 'file' && r.rev !== op.parentRev) return; // 409
      for (const p of [...w.remote.keys()]) if (isInside(p, op.path)) w.remote.delete(p);
      for (const p of [...w.synced.keys()]) if (isInside(p, op.path)) w.synced.delete(p);
      return;
    }
    case 'conflict': {
      const l = w.local.get(op.path);
      if (!l) return;
      aside(w, op.path);
      return;
    }
    case 'adopt':
      w.synced.set(op.path, node({ ...op.remote, inode: op.local.inode }));
      return;
    case 'forget':
      w.synced.delete(op.path);
      return;
  }
}

/** Plans and applies until the plan is empty; returns the number of rounds (throws if > 30). */
function settle(w: World, opts = {}): number {
  for (let round = 0; round < 30; round++) {
    const ops = plan(trees(w), opts);
    const ex = (opts as { excludedRoots?: string[] }).excludedRoots ?? [];
    expect(plan(restrictToChanged(trees(w), ex), opts)).toEqual(ops);
    if (ops.length === 0) return round;
    for (const op of ops) apply(w, op);
  }
  throw new Error(`no fixpoint: ${JSON.stringify(plan(trees(w), opts))}`);
}

function contents(m: Map<string, { kind: string; content: string }>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [p, f] of m) out.set(p, f.kind === 'file' ? f.content : '/');
  return out;
}

function synced(files: Record<string, string>): World {
  const w: World = { local: new Map(), remote: new Map(), synced: new Map(), seq: 1000 };
  for (const [p, c] of Object.entries(files)) {
    const kind = c === '/' ? 'folder' : 'file';
    const inode = ++w.seq;
    const r: RFile = { kind, content: c === '/' ? '' : c, id: `e${inode}`, rev: `r${inode}` };
    w.local.set(p, { kind, content: r.content, inode });
    w.remote.set(p, r);
    w.synced.set(p, node({ path: p, kind, id: r.id, rev: kind === 'file' ? r.rev : null, hash: kind === 'file' ? r.content : null, inode }));
  }
  return w;
}

// ---- example-based tests -----------------------------------------------------------------

describe('plan', () => {
  it('an unchanged world plans nothing', () => {
    const w = synced({ a: 'A', d: '/', 'd/x': 'X' });
    expect(plan(trees(w))).toEqual([]);
  });

  it('first sync merges both sides; same path with different content → conflicted copy', () => {
    const w: World = { local: new Map(), remote: new Map(), synced: new Map(), seq: 0 };
    w.local.set('mine', { kind: 'file', content: 'M', inode: 1 });
    w.local.set('both', { kind: 'file', content: 'L', inode: 2 });
    w.local.set('same', { kind: 'file', content: 'S', inode: 3 });
    w.remote.set('theirs', { kind: 'file', content: 'T', id: 'i1', rev: 'r1' });
    w.remote.set('both', { kind: 'file', content: 'R', id: 'i2', rev: 'r2' });
    w.remote.set('same', { kind: 'file', content: 'S', id: 'i3', rev: 'r3' });
    const first = plan(trees(w));
    expect(first.find((o) => 'path' in o && o.path === 'both')?.type).toBe('conflict');
    expect(first.find((o) => 'path' in o && o.path === 'same')?.type).toBe('adopt');
    settle(w);
    expect(contents(w.local)).toEqual(contents(w.remote));
    expect(contents(w.local).get('both')).toBe('R');
    expect(contents(w.local).get('both (cc1)')).toBe('L');
    expect(contents(w.local).get('mine')).toBe('M');
    expect(contents(w.local).get('theirs')).toBe('T');
  });

  it('edit versus delete keeps the edit (both directions)', () => {
    const w = synced({ a: 'A', b: 'B' });
    w.local.set('a', { kind: 'file', content: 'A2', inode: 99 });
    w.remote.delete('a');
    w.local.delete('b');
    w.remote.set('b', { ...(w.remote.get('b') as RFile), content: 'B2', rev: 'rb2' });
    settle(w);
    expect(contents(w.local)).toEqual(new Map([['a', 'A2'], ['b', 'B2']]));
    expect(contents(w.remote)).toEqual(contents(w.local));
  });

  it('a local folder rename is one remote move, not re-uploads', () => {
    const files: Record<string, string> = { d: '/' };
    for (let i = 0; i < 50; i++) files[`d/f${i}`] = `c${i}`;
    const w = synced(files);
    moveIn(w.local, 'd', 'e');
    const ops = plan(trees(w));
    expect(ops).toEqual([{ type: 'moveRemote', from: 'd', to: 'e', kind: 'folder' }]);
    expect(settle(w)).toBeLessThanOrEqual(2);
    expect(contents(w.remote).get('e/f7')).toBe('c7');
  });

  it('a deferred move (refused, backing off) is left alone; the rest is planned and its source folder kept', () => {
    const w = synced({ d: '/', 'd/x': 'X', y: 'Y' });
    moveIn(w.local, 'd/x', 'e/x');
    w.local.set('e', { kind: 'folder', content: '', inode: 77 });
    w.local.delete('d');
    w.local.set('new', { kind: 'file', content: 'N', inode: 78 });
    const t = trees(w);
    expect(plan(t)).toEqual([{ type: 'moveRemote', from: 'd/x', to: 'e/x', kind: 'file' }]);
    const deferred = (p: string): boolean => isInside(p, 'd/x') || isInside(p, 'e/x');
    const ops = plan(t, { deferred });
    expect(ops.map((o) => `${o.type} ${'path' in o ? o.path : o.from}`).sort()).toEqual(['mkdirRemote e', 'upload new']);
  });

  it('a remote move is applied locally; a case-only rename too', () => {
    const w = synced({ d: '/', 'd/x': 'X', 'Readme.md': 'R' });
    moveIn(w.remote, 'd', 'z/d2');
    w.remote.set('z', { kind: 'folder', content: '', id: 'z', rev: '' });
    moveIn(w.remote, 'Readme.md', 'README.md');
    const ops = plan(trees(w));
    expect(ops.map((o) => o.type).sort()).toEqual(['moveLocal', 'moveLocal']);
    settle(w);
    expect(contents(w.local)).toEqual(contents(w.remote));
    expect(w.local.has('README.md')).toBe(true);
  });

  it('a rename on one side and an edit on the other both apply', () => {
    const w = synced({ a: 'A' });
    moveIn(w.local, 'a', 'b');
    w.remote.set('a', { ...(w.remote.get('a') as RFile), content: 'A2', rev: 'ra2' });
    settle(w);
    expect(contents(w.local)).toEqual(new Map([['b', 'A2']]));
    expect(contents(w.remote)).toEqual(contents(w.local));
  });

  it('selective sync removes only local copies that the server holds, uploading unsynced work first', () => {
    const w = synced({ d: '/', 'd/x': 'X', keep: 'K' });
    w.local.set('d/new', { kind: 'file', content: 'N', inode: 77 });
    const isExcluded = (p: string): boolean => isInside(p, 'd');
    settle(w, { isExcluded, excludedRoots: ['d'] });
    expect(contents(w.remote).get('d/new')).toBe('N');
    expect([...w.local.keys()]).toEqual(['keep']);
    expect(contents(w.remote).get('d/x')).toBe('X');
  });

  it('selective sync applied during a first merge never deletes local data the server lacks', () => {
    const w: World = { local: new Map(), remote: new Map(), synced: new Map(), seq: 0 };
    w.local.set('big', { kind: 'folder', content: '', inode: 1 });
    w.local.set('big/same', { kind: 'file', content: 'S', inode: 2 });
    w.local.set('big/mine', { kind: 'file', content: 'M', inode: 3 });
    w.local.set('big/differs', { kind: 'file', content: 'L', inode: 4 });
    w.remote.set('big', { kind: 'folder', content: '', id: 'f', rev: '' });
    w.remote.set('big/same', { kind: 'file', content: 'S', id: 'i1', rev: 'r1' });
    w.remote.set('big/differs', { kind: 'file', content: 'R', id: 'i2', rev: 'r2' });
    const isExcluded = (p: string): boolean => isInside(p, 'big');
    settle(w, { isExcluded, excludedRoots: ['big'] });
    // Every local byte is on the server before the local copy went.
    const serverContents = new Set([...w.remote.values()].map((f) => f.content));
    for (const c of ['S', 'M', 'L', 'R']) expect(serverContents.has(c), c).toBe(true);
    expect([...w.remote.keys()].filter((p) => p.includes('conflicted') || p.includes('(cc'))).toHaveLength(1);
    expect([...w.local.keys()]).toEqual([]);
  });

  it('ignored paths are left alone on both sides', () => {
    const w = synced({});
    w.local.set('.DS_Store', { kind: 'file', content: 'junk', inode: 5 });
    expect(plan(trees(w), { isIgnored: (p) => p === '.DS_Store' })).toEqual([]);
  });

  it('a folder deleted locally is one remote delete unless something under it changed remotely', () => {
    const w = synced({ d: '/', 'd/a': 'A', 'd/b': 'B' });
    for (const p of ['d', 'd/a', 'd/b']) w.local.delete(p);
    expect(plan(trees(w))).toEqual([{ type: 'deleteRemote', path: 'd', kind: 'folder', parentRev: null, files: 2 }]);
    const w2 = synced({ d: '/', 'd/a': 'A', 'd/b': 'B' });
    for (const p of ['d', 'd/a', 'd/b']) w2.local.delete(p);
    w2.remote.set('d/b', { ...(w2.remote.get('d/b') as RFile), content: 'B2', rev: 'rb2' });
    settle(w2);
    expect(contents(w2.local)).toEqual(new Map([['d', '/'], ['d/b', 'B2']]));
  });

  it('mass-delete guard holds big deletes and an emptied root, not small ones', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`f${i}`] = `c${i}`;
    const w = synced(files);
    for (let i = 0; i < 15; i++) w.local.delete(`f${i}`);
    const held = massDeleteCheck(plan(trees(w)), 20, w.local.size);
    expect(held).toMatchObject({ side: 'remote', count: 15 });
    const w2 = synced(files);
    w2.local.delete('f1');
    expect(massDeleteCheck(plan(trees(w2)), 20, w2.local.size)).toBeNull();
    const w3 = synced({ a: 'A' });
    w3.local.clear();
    expect(massDeleteCheck(plan(trees(w3)), 1, 0)).toMatchObject({ side: 'remote', count: 1 });
  });
});

// ---- property tests ----------------------------------------------------------------------

const NAMES = ['a', 'b', 'c', 'd/x', 'd/y', 'e/z'];
type Mut = { side: 'local' | 'remote'; kind: 'edit' | 'delete' | 'create' | 'move'; i: number; j: number };
const mutArb = fc.record({
  side: fc.constantFrom('local' as const, 'remote' as const),
  kind: fc.constantFrom('edit' as const, 'delete' as const, 'create' as const, 'move' as const),
  i: fc.nat(NAMES.length - 1),
  j: fc.nat(NAMES.length - 1),
});

/** Applies one mutation; `anywhere`: moves may change the parent folder too. */
function mutate(w: World, m: Mut, tag: string, anywhere = false): void {
  const p = NAMES[m.i] as string;
  const q = NAMES[m.j] as string;
  const content = `${tag}`;
  if (m.side === 'local') {
    const cur = w.local.get(p);
    if (m.kind === 'edit' && cur?.kind === 'file') w.local.set(p, { ...cur, content });
    if (m.kind === 'delete' && cur?.kind === 'file') w.local.delete(p);
    if (m.kind === 'create' && !cur) {
      ensureParents(w.local, p, () => ({ kind: 'folder', content: '', inode: ++w.seq }));
      if (w.local.get(parentPath(p))?.kind !== 'file') w.local.set(p, { kind: 'file', content, inode: ++w.seq });
    }
    if (m.kind === 'move' && cur?.kind === 'file' && !w.local.has(q) && (anywhere || parentPath(q) === parentPath(p)) && w.local.get(parentPath(q))?.kind !== 'file') {
      ensureParents(w.local, q, () => ({ kind: 'folder', content: '', inode: ++w.seq }));
      moveIn(w.local, p, q);
    }
  } else {
    const cur = w.remote.get(p);
    if (m.kind === 'edit' && cur?.kind === 'file') w.remote.set(p, { ...cur, content, rev: `r${++w.seq}` });
    if (m.kind === 'delete' && cur?.kind === 'file') w.remote.delete(p);
    if (m.kind === 'create' && !cur) {
      ensureParents(w.remote, p, () => ({ kind: 'folder', content: '', id: `n${++w.seq}`, rev: '' }));
      if (w.remote.get(parentPath(p))?.kind !== 'file') w.remote.set(p, { kind: 'file', content, id: `n${++w.seq}`, rev: `r${++w.seq}` });
    }
    if (m.kind === 'move' && cur?.kind === 'file' && !w.remote.has(q) && (anywhere || parentPath(q) === parentPath(p)) && w.remote.get(parentPath(q))?.kind !== 'file') {
      ensureParents(w.remote, q, () => ({ kind: 'folder', content: '', id: `n${++w.seq}`, rev: '' }));
      moveIn(w.remote, p, q);
    }
  }
}

/**
 * A world in sync on the files `base` (with their folders), then changed on either side by
 * `muts` (`anywhere`: moves may cross folders); `fresh` = the contents written after the merge
 * base, which must all survive.
 */
function mutatedWorld(base: string[], muts: Mut[], anywhere = false): { w: World; fresh: Set<string> } {
  const files: Record<string, string> = {};
  for (const p of base) {
    if (p.includes('/')) files[parentPath(p)] = '/';
    files[p] = `base-${p}`;
  }
  const w = synced(files);
  muts.forEach((m, k) => mutate(w, m, `v${k}-${m.side}`, anywhere));
  const fresh = new Set<string>();
  for (const f of [...w.local.values(), ...w.remote.values()]) if (f.kind === 'file' && !f.content.startsWith('base-')) fresh.add(f.content);
  return { w, fresh };
}

describe('plan (properties)', () => {
  it('converges, replanning after applying is a no-op, and no edit is ever lost', () => {
    fc.assert(
      fc.property(fc.subarray(NAMES), fc.array(mutArb, { maxLength: 8 }), (base, muts) => {
        const { w, fresh } = mutatedWorld(base, muts);
        // Planning on the changed paths only gives the same plan as on the whole trees.
        expect(plan(restrictToChanged(trees(w)))).toEqual(plan(trees(w)));
        settle(w);
        expect(plan(trees(w))).toEqual([]);
        const l = contents(w.local);
        expect(l).toEqual(contents(w.remote));
        const finalContents = new Set(l.values());
        for (const c of fresh) expect(finalContents.has(c), `lost ${c}`).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('plan (properties): selective sync', () => {
  it('a folder excluded while both sides changed (moves into and out of it included): converges, nothing local left in it, no edit lost, equal outside it', () => {
    const excludedRoots = ['d'];
    const isExcluded = (p: string): boolean => isInside(p, 'd');
    const outside = (m: Map<string, string>): Map<string, string> => new Map([...m].filter(([p]) => !isExcluded(p)));
    fc.assert(
      fc.property(fc.subarray(NAMES), fc.array(mutArb, { maxLength: 8 }), (base, muts) => {
        const { w, fresh } = mutatedWorld(base, muts, true);
        settle(w, { isExcluded, excludedRoots });
        expect(plan(trees(w), { isExcluded })).toEqual([]);
        expect([...w.local.keys()].filter(isExcluded)).toEqual([]);
        expect(contents(w.local)).toEqual(outside(contents(w.remote)));
        // Everything written on either side is on the server (the local copy went only after).
        const onServer = new Set(contents(w.remote).values());
        for (const c of fresh) expect(onServer.has(c), `lost ${c}`).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('plan: moves and selective sync (D39)', () => {
  const excludedAt = (root: string) => ({ isExcluded: (p: string): boolean => isInside(p, root), excludedRoots: [root] });

  it('an excluded folder renamed elsewhere in case only: its local copy follows, unsynced work is uploaded into it, then the copy goes', () => {
    const w = synced({ d2: '/', 'd2/c': 'C' });
    moveIn(w.remote, 'd2', 'D2');
    w.local.set('d2/a', { kind: 'file', content: 'A', inode: 500 });
    const opts = excludedAt('D2');
    expect(plan(trees(w), opts)).toEqual([{ type: 'moveLocal', from: 'd2', to: 'D2', local: expect.objectContaining({ path: 'd2' }) }]);
    settle(w, opts);
    expect(contents(w.remote)).toEqual(new Map([['D2', '/'], ['D2/c', 'C'], ['D2/a', 'A']]));
    expect(w.local.size).toBe(0);
  });

  it('a folder moved elsewhere into an excluded folder: the local copy follows (an edit in it lands there, the old path is not re-created)', () => {
    const w = synced({ x: '/', 'x/f': 'F', E: '/', 'E/g': 'G' });
    w.local.delete('E');
    w.local.delete('E/g');
    w.synced.delete('E');
    w.synced.delete('E/g');
    moveIn(w.remote, 'x', 'E/x');
    w.local.set('x/f', { ...(w.local.get('x/f') as LFile), content: 'F2' });
    const opts = excludedAt('E');
    expect(plan(trees(w), opts).map((o) => o.type)).toEqual(['moveLocal']);
    settle(w, opts);
    expect(contents(w.remote)).toEqual(new Map([['E', '/'], ['E/g', 'G'], ['E/x', '/'], ['E/x/f', 'F2']]));
    expect(w.local.size).toBe(0);
  });

  it('a file moved locally out of an excluded folder still on disk is a server move; one moved into it too', () => {
    const w = synced({ d: '/', 'd/a': 'A', 'd/b': 'B', y: '/', 'y/m': 'M' });
    moveIn(w.local, 'd/a', 'y/a');
    moveIn(w.local, 'y/m', 'd/m');
    const opts = excludedAt('d');
    expect(plan(trees(w), opts)).toEqual([
      { type: 'moveRemote', from: 'd/a', to: 'y/a', kind: 'file' },
      { type: 'moveRemote', from: 'y/m', to: 'd/m', kind: 'file' },
    ]);
    settle(w, opts);
    expect(contents(w.remote)).toEqual(new Map([['d', '/'], ['d/b', 'B'], ['d/m', 'M'], ['y', '/'], ['y/a', 'A']]));
    expect(contents(w.local)).toEqual(new Map([['y', '/'], ['y/a', 'A']]));
  });
});

describe('planMoves: a blocked folder move', () => {
  it('moves none of its children one by one (they are planned per path)', () => {
    const synced = new Map<string, TreeNode>([
      ['d', node({ path: 'd', kind: 'folder', id: 'D', inode: 1 })],
      ['d/f', node({ path: 'd/f', kind: 'file', id: 'F', rev: 'r', hash: 'x', inode: 2 })],
    ]);
    // On the server d went to e (with its child); locally e exists already (made here), so the
    // folder move is blocked.
    const remote = new Map<string, TreeNode>([
      ['e', node({ path: 'e', kind: 'folder', id: 'D' })],
      ['e/f', node({ path: 'e/f', kind: 'file', id: 'F', rev: 'r', hash: 'x' })],
    ]);
    const local = new Map<string, TreeNode>([
      ['d', node({ path: 'd', kind: 'folder', inode: 1 })],
      ['d/f', node({ path: 'd/f', kind: 'file', hash: 'x', inode: 2 })],
      ['e', node({ path: 'e', kind: 'folder', inode: 3 })],
    ]);
    expect(planMoves({ local, remote, synced })).toEqual([]);
  });
});
