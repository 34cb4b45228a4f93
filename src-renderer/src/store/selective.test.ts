import { describe, expect, it } from 'vitest';
import { createSelectiveStore, diffExcluded, folderState, isUnder } from './selective.ts';
import { fakeApi } from './test-fakes.ts';

const tree: Record<string, { path: string; size: number; files: number; excluded: boolean }[]> = {
  '': [
    { path: 'Photos', size: 5000, files: 10, excluded: false },
    { path: 'Docs', size: 300, files: 3, excluded: false },
  ],
  Photos: [{ path: 'Photos/2024', size: 4000, files: 8, excluded: false }],
};

function setup(excluded: string[] = []) {
  let saved = [...excluded];
  const api = fakeApi({
    remoteTree: (i) => ({ folders: tree[i.path ?? ''] ?? [] }),
    excludeList: () => ({ excluded: saved }),
    excludePreview: (i) => ({ files: i.paths.length * 10, bytes: 5000, unsynced: 0 }),
    excludeAdd: (i) => ((saved = [...saved, i.path]), { excluded: saved }),
    excludeRemove: (i) => ((saved = saved.filter((p) => p !== i.path)), { excluded: saved }),
  });
  return { api, s: createSelectiveStore(api) };
}

describe('selective sync helpers', () => {
  it('matches folders by whole components', () => {
    expect(isUnder('a/b', 'a')).toBe(true);
    expect(isUnder('a', 'a')).toBe(true);
    expect(isUnder('ab', 'a')).toBe(false);
  });
  it('diffs and derives folder state', () => {
    expect(diffExcluded(['a', 'b'], ['b', 'c'])).toEqual({ add: ['c'], remove: ['a'] });
    expect(folderState('a/b', ['a'])).toEqual({ kept: false, locked: true });
    expect(folderState('a', ['a'])).toEqual({ kept: false, locked: false });
    expect(folderState('b', ['a'])).toEqual({ kept: true, locked: false });
  });
});

describe('selective sync store', () => {
  it('loads the tree lazily, sorted', async () => {
    const { s, api } = setup();
    await s.getState().load();
    expect(s.getState().children['']).toEqual(['Docs', 'Photos']);
    await s.getState().toggleExpand('Photos');
    expect(s.getState().children['Photos']).toEqual(['Photos/2024']);
    await s.getState().toggleExpand('Photos');
    await s.getState().toggleExpand('Photos');
    expect(api.remoteTree).toHaveBeenCalledTimes(2);
  });

  it('asks before excluding: preview first, nothing changes until confirmed', async () => {
    const { s, api } = setup();
    await s.getState().load();
    s.getState().setKept('Photos', false);
    await s.getState().apply();
    expect(s.getState().phase).toBe('confirm');
    expect(s.getState().preview).toEqual({ files: 10, bytes: 5000, unsynced: 0 });
    expect(api.excludePreview).toHaveBeenCalledWith({ paths: ['Photos'] });
    expect(api.excludeAdd).not.toHaveBeenCalled();
    await s.getState().confirm();
    expect(api.excludeAdd).toHaveBeenCalledWith({ path: 'Photos' });
    expect(s.getState().saved).toEqual(['Photos']);
    expect(s.getState().phase).toBe('edit');
  });

  it('cancel keeps the engine untouched', async () => {
    const { s, api } = setup();
    await s.getState().load();
    s.getState().setKept('Docs', false);
    await s.getState().apply();
    s.getState().cancel();
    expect(api.excludeAdd).not.toHaveBeenCalled();
    expect(s.getState().phase).toBe('edit');
  });

  it('including again needs no confirmation; excluding a parent folds in its children', async () => {
    const { s, api } = setup(['Photos/2024']);
    await s.getState().load();
    s.getState().setKept('Photos', false);
    expect(s.getState().excluded).toEqual(['Photos']);
    s.getState().setKept('Photos', true);
    s.getState().setKept('Photos/2024', true);
    await s.getState().apply();
    expect(api.excludePreview).not.toHaveBeenCalled();
    expect(api.excludeRemove).toHaveBeenCalledWith({ path: 'Photos/2024' });
    expect(s.getState().saved).toEqual([]);
    expect(s.getState().message).toMatch(/downloaded/);
  });
});
