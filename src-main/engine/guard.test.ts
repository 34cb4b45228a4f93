import { describe, expect, it } from 'vitest';
import { DeleteGuard } from './guard.ts';
import type { Op } from './plan/planner.ts';

const del = (path: string, files = 1): Op => ({ type: 'deleteRemote', path, kind: files > 1 ? 'folder' : 'file', parentRev: null, files });
const limits = { max: 5, ratio: 0.9, min: 3 };

describe('DeleteGuard', () => {
  it('holds a mass delete, and a confirmation covers exactly the shown ops', () => {
    const g = new DeleteGuard(limits);
    const shown = [del('a', 4), del('b', 4)];
    const first = g.apply(shown, 100, 100, 0);
    expect(first.ops).toEqual([]);
    expect(first.changed).toBe(true);
    expect(g.held).toMatchObject({ side: 'remote', count: 8 });
    expect(g.confirm()?.count).toBe(8);
    // Meanwhile folder b grew and c appeared: only a is still covered.
    const next = g.apply([del('a', 4), del('b', 5), del('c', 3)], 100, 100, 1);
    expect(next.ops).toEqual([del('a', 4)]);
    expect(g.held).toMatchObject({ count: 8, paths: ['b', 'c'] });
  });

  it('counts deletes carried out in the last minute, and a confirmation is used once', () => {
    const g = new DeleteGuard(limits);
    expect(g.apply([del('x', 4)], 100, 100, 0).ops).toHaveLength(1);
    g.executed([del('x', 4)], 0);
    // 2 more within the minute: 6 in all > 5, held; a minute later they pass.
    expect(g.apply([del('y', 2)], 100, 100, 30_000).ops).toEqual([]);
    expect(g.apply([del('y', 2)], 100, 100, 61_000).ops).toEqual([del('y', 2)]);
    expect(g.apply([del('z', 6)], 100, 100, 62_000).ops).toEqual([]);
    g.confirm();
    expect(g.apply([del('z', 6)], 100, 100, 62_001).ops).toEqual([del('z', 6)]);
    g.executed([del('z', 6)], 62_002);
    expect(g.isConfirmed(del('z', 6))).toBe(false);
  });

  it('deletes marked always-hold are held however small, and pass once confirmed', () => {
    const g = new DeleteGuard(limits);
    const leave = del('Shared', 1);
    const mark = (o: Op): boolean => o.type === 'deleteRemote' && o.path === 'Shared';
    expect(g.apply([leave, del('b')], 100, 100, 0, mark).ops).toEqual([]);
    expect(g.held).toMatchObject({ side: 'remote', count: 2, paths: ['Shared', 'b'] });
    g.confirm();
    expect(g.apply([leave, del('b')], 100, 100, 1, mark).ops).toEqual([leave, del('b')]);
  });

  it('reject hands back the held deletes and holds nothing', () => {
    const g = new DeleteGuard(limits);
    g.apply([del('a', 9)], 10, 10, 0);
    expect(g.reject()?.paths).toEqual(['a']);
    expect(g.held).toBeNull();
    expect(g.confirm()).toBeNull();
  });
});
