import { describe, expect, it, vi } from 'vitest';
import type { ControlEvent } from '../../../src-shared/control.ts';
import { ControlError } from '../bridge/errors.ts';
import type { Connection } from '../bridge/types.ts';
import { createAppStore } from './app.ts';
import { createConflictsStore } from './conflicts.ts';
import { createDeletedStore } from './deleted.ts';
import { createFirstRunStore, validateFirstRun } from './firstRun.ts';
import { createHistoryStore } from './history.ts';
import { changedSettings, createPrefsStore } from './prefs.ts';
import { createStores } from './index.ts';
import { fakeApi, sampleStatus } from './test-fakes.ts';

const item = (id: number, path = `f${id}.txt`) => ({
  id,
  time: 1000 + id,
  path,
  action: 'uploaded',
  device_name: 'desk',
  detail: null,
});

describe('app store', () => {
  it('loads status and activity, then follows events', async () => {
    const api = fakeApi({ status: () => sampleStatus(), activity: () => ({ items: [item(1)] }) });
    const s = createAppStore(api);
    await s.getState().refresh();
    expect(s.getState().status?.state).toBe('idle');
    s.getState().applyEvent({ type: 'status', status: sampleStatus({ state: 'syncing' }) });
    s.getState().applyEvent({ type: 'activity', item: item(2) });
    s.getState().applyEvent({ type: 'activity', item: item(2) });
    expect(s.getState().status?.state).toBe('syncing');
    expect(s.getState().activity.map((a) => a.id)).toEqual([2, 1]);
  });

  it('keeps at most ACTIVITY_LIMIT items', () => {
    const s = createAppStore(fakeApi({}));
    for (let i = 0; i < 70; i++) s.getState().applyEvent({ type: 'activity', item: item(i) });
    expect(s.getState().activity).toHaveLength(50);
    expect(s.getState().activity[0]!.id).toBe(69);
  });

  it('reports a failed first load', async () => {
    const s = createAppStore(fakeApi({ status: () => Promise.reject(new ControlError('network', 'x')) }));
    await s.getState().refresh();
    expect(s.getState().loadError).toMatch(/not answering/);
  });

  it('pauses and settles held deletes, reporting failures as notices', async () => {
    const api = fakeApi({
      pause: () => sampleStatus({ state: 'paused' }),
      confirmDeletes: () => {
        throw new ControlError('internal', 'disk on fire');
      },
    });
    const s = createAppStore(api);
    await s.getState().pause();
    expect(s.getState().status?.state).toBe('paused');
    expect(s.getState().notice).toEqual({ kind: 'ok', text: 'Syncing paused.' });
    s.getState().askConfirmDeletes(true);
    await s.getState().confirmDeletes();
    expect(s.getState().notice).toEqual({ kind: 'error', text: 'disk on fire' });
    expect(s.getState().busy).toBe(false);
  });

  it('catches up after the event stream comes back', async () => {
    const api = fakeApi({ status: () => sampleStatus(), activity: () => ({ items: [] }) });
    const s = createAppStore(api);
    s.getState().setConnection('live');
    expect(api.status).not.toHaveBeenCalled();
    s.getState().setConnection('lost');
    s.getState().setConnection('live');
    await vi.waitFor(() => expect(api.status).toHaveBeenCalledTimes(1), { timeout: 10_000 });
  });
});

describe('createStores wiring', () => {
  it('feeds bridge events and connection into the app store and reloads conflicts', async () => {
    let emit: (e: ControlEvent) => void = () => {};
    let conn: (c: Connection) => void = () => {};
    const api = fakeApi({ conflicts: () => ({ conflicts: [] }) });
    const stores = createStores({
      api,
      onEvent: (cb) => ((emit = cb), () => {}),
      onConnection: (cb) => ((conn = cb), () => {}),
    });
    conn('live');
    expect(stores.app.getState().connection).toBe('live');
    emit({ type: 'status', status: sampleStatus() });
    stores.app.getState().go('conflicts');
    emit({ type: 'status', status: sampleStatus({ conflicts: 1 }) });
    await vi.waitFor(() => expect(api.conflicts).toHaveBeenCalledTimes(1), { timeout: 10_000 });
  });
});

describe('conflicts store', () => {
  const c = {
    path: 'a (conflicted copy from desk 2026-11-21).txt',
    original: 'a.txt',
    size: 3,
    mtime: 1,
    original_size: 4,
    original_mtime: 2,
    device_name: 'desk',
    original_device_name: 'laptop',
  };
  it('loads and settles a conflict', async () => {
    const api = fakeApi({ conflicts: () => ({ conflicts: [c] }), resolveConflict: () => ({}) });
    const s = createConflictsStore(api);
    await s.getState().load();
    expect(s.getState().items).toHaveLength(1);
    expect(await s.getState().resolve(c.path, 'both')).toBe(true);
    expect(api.resolveConflict).toHaveBeenCalledWith({ path: c.path, keep: 'both' });
    expect(s.getState().items).toEqual([]);
  });
  it("takes the original's device from the conflict itself (no history call per original)", async () => {
    const api = fakeApi({ conflicts: () => ({ conflicts: [c] }) });
    const s = createConflictsStore(api);
    await s.getState().load();
    expect(s.getState().items[0]?.original_device_name).toBe('laptop');
    expect(api.history).not.toHaveBeenCalled();
  });
  it('keeps the conflict listed when settling fails', async () => {
    const api = fakeApi({
      conflicts: () => ({ conflicts: [c] }),
      resolveConflict: () => Promise.reject(new ControlError('not_found', 'gone')),
    });
    const s = createConflictsStore(api);
    await s.getState().load();
    expect(await s.getState().resolve(c.path, 'mine')).toBe(false);
    expect(s.getState().items).toHaveLength(1);
    expect(s.getState().error).toBe('gone');
  });
});

describe('history and deleted stores', () => {
  const rev = (r: string, current = false) => ({
    rev: r,
    path: 'a.txt',
    size: 1,
    mtime: 1,
    content_hash: '0'.repeat(64),
    blocks: [],
    executable: false,
    server_time: 1,
    device_id: null,
    device_name: 'desk',
    current,
  });
  it('browses folders first, opens a file, restores and saves a revision', async () => {
    let revs = [rev('r2', true), rev('r1')];
    const api = fakeApi({
      ls: () => ({
        entries: [
          { path: 'b.txt', kind: 'file', size: 1, mtime: 1, state: 'synced' },
          { path: 'z', kind: 'folder', size: 0, mtime: 1, state: 'synced' },
        ],
      }),
      history: () => ({ revisions: revs }),
      restore: () => {
        revs = [rev('r3', true), ...revs.map((r) => ({ ...r, current: false }))];
        return { entry: {} };
      },
      saveRevision: () => ({}),
    });
    const s = createHistoryStore(api);
    await s.getState().browse('');
    expect(s.getState().entries.map((e) => e.path)).toEqual(['z', 'b.txt']);
    await s.getState().open('a.txt');
    expect(s.getState().revisions).toHaveLength(2);
    expect(await s.getState().restore('r1')).toBe(true);
    expect(api.restore).toHaveBeenCalledWith({ path: 'a.txt', rev: 'r1' });
    expect(s.getState().revisions[0]!.rev).toBe('r3');
    expect(await s.getState().saveAs('r1', '/tmp/old.txt')).toBe(true);
    expect(api.saveRevision).toHaveBeenCalledWith({ path: 'a.txt', rev: 'r1', dest: '/tmp/old.txt' });
    expect(s.getState().message).toMatch(/\/tmp\/old.txt/);
  });
  it('a restore that finishes after another file was opened does not show its revisions there', async () => {
    let finishRestore: () => void = () => {};
    const api = fakeApi({
      history: ({ path }) => ({ revisions: [{ ...rev(`${path}-r1`, true), path }] }),
      restore: () => new Promise((resolve) => (finishRestore = () => resolve({ entry: {} }))),
    });
    const s = createHistoryStore(api);
    await s.getState().open('a.txt');
    const restoring = s.getState().restore('a.txt-r1');
    await vi.waitFor(() => expect(api.restore).toHaveBeenCalled(), { timeout: 10_000 });
    await s.getState().open('b.txt'); // the user moves on while the restore runs
    finishRestore();
    expect(await restoring).toBe(true);
    expect(s.getState().path).toBe('b.txt');
    expect(s.getState().revisions.map((r) => r.rev)).toEqual(['b.txt-r1']);
    expect(s.getState().message).toBeNull();
    expect(s.getState().working).toBeNull();
    expect(api.history).toHaveBeenCalledTimes(2); // opening a.txt and b.txt; none after the restore
  });
  it('restores a deleted file and drops it from the list', async () => {
    const e = (path: string, t: number) => ({ path, server_time: t }) as never;
    const api = fakeApi({
      deleted: () => ({ entries: [e('old', 1), e('new', 2)] }),
      undelete: () => ({ entry: {} }),
    });
    const s = createDeletedStore(api);
    await s.getState().load();
    expect(s.getState().entries.map((x) => x.path)).toEqual(['new', 'old']);
    await s.getState().undelete('old');
    expect(s.getState().entries.map((x) => x.path)).toEqual(['new']);
  });
});

describe('prefs store', () => {
  const settings = { upload_limit_bps: 0, download_limit_bps: 0, start_at_login: false, ignore_rules: '' };
  it('saves only what changed', async () => {
    const api = fakeApi({
      getSettings: () => settings,
      devices: () => ({
        devices: [{ id: 'd1', name: 'desk', created_at: 1, last_seen_at: null, current: false }],
      }),
      account: () => ({
        account_id: 'a',
        email: 'a@b',
        home_ns: 'n',
        quota_bytes: 10,
        used_bytes: 1,
        namespaces: [],
      }),
      setSettings: (patch) => ({ ...settings, ...patch }),
      revokeDevice: () => ({}),
    });
    const s = createPrefsStore(api);
    await s.getState().load();
    expect(s.getState().dirty()).toBe(false);
    s.getState().edit({ upload_limit_bps: 1024 });
    expect(s.getState().dirty()).toBe(true);
    await s.getState().save();
    expect(api.setSettings).toHaveBeenCalledWith({ upload_limit_bps: 1024 });
    expect(s.getState().dirty()).toBe(false);
    await s.getState().revoke('d1');
    expect(s.getState().devices).toEqual([]);
    expect(s.getState().message).toBe('desk can no longer sync.');
  });
  it('shows what loaded even when one call fails', async () => {
    const s = createPrefsStore(fakeApi({ getSettings: () => settings, devices: () => ({ devices: [] }) }));
    await s.getState().load();
    expect(s.getState().draft).toEqual(settings);
    expect(s.getState().error).toMatch(/account not set/);
  });
  it('diffs settings', () => {
    expect(changedSettings(settings, { ...settings, ignore_rules: '*.tmp' })).toEqual({
      ignore_rules: '*.tmp',
    });
  });
});

describe('first-run store', () => {
  const form = {
    mode: 'signup' as const,
    server: 'http://127.0.0.1:1',
    email: 'a@b.c',
    password: 'password1',
    device_name: '',
    folder: '/tmp/c',
  };
  it('validates before linking', () => {
    expect(validateFirstRun(form)).toBeNull();
    expect(validateFirstRun({ ...form, server: 'example.com' })).toMatch(/server address/);
    expect(validateFirstRun({ ...form, password: 'short' })).toMatch(/8 characters/);
    expect(validateFirstRun({ ...form, folder: ' ' })).toMatch(/folder/);
  });
  it('links, trims input and forgets the password', async () => {
    const api = fakeApi({ link: () => sampleStatus() });
    const s = createFirstRunStore(api);
    s.getState().set({ ...form, server: ' http://127.0.0.1:1/ ', device_name: ' desk ' });
    expect(await s.getState().submit()).not.toBeNull();
    expect(api.link).toHaveBeenCalledWith({ ...form, server: 'http://127.0.0.1:1', device_name: 'desk' });
    expect(s.getState().form.password).toBe('');
  });
  it('shows the engine error and keeps the form', async () => {
    const s = createFirstRunStore(
      fakeApi({ link: () => Promise.reject(new ControlError('email_taken', 'x')) }),
    );
    s.getState().set(form);
    expect(await s.getState().submit()).toBeNull();
    expect(s.getState().error).toMatch(/Log in instead/);
    expect(s.getState().form.password).toBe('password1');
  });
});
