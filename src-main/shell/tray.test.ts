import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { SyncState } from '../../src-shared/control.ts';
import { trayIcon, trayMenuTemplate, trayTooltip, type TrayActions } from './tray.ts';
import { status } from './test-fakes.ts';

const actions = (): TrayActions => ({
  openFolder: vi.fn(),
  openWindow: vi.fn(),
  pause: vi.fn(),
  resume: vi.fn(),
  openPreferences: vi.fn(),
  quit: vi.fn(),
});
const byId = (menu: MenuItemConstructorOptions[], id: string) => menu.find((m) => m.id === id);

describe('tray menu', () => {
  const states: [SyncState, string, string, boolean][] = [
    // state, first line, pause/resume item, folder enabled
    ['setup', 'Not set up yet', 'pause', false],
    ['idle', 'Up to date', 'pause', true],
    ['syncing', 'Syncing…', 'pause', true],
    ['offline', 'Offline — changes are kept', 'pause', true],
    ['paused', 'Paused', 'resume', true],
    ['held', 'Waiting for you: many deletions held', 'pause', true],
    ['error', 'Stopped — open Cairn to see why', 'pause', true],
  ];
  it.each(states)('in state %s', (state, label, toggle, folderEnabled) => {
    const a = actions();
    const menu = trayMenuTemplate(status({ state }), a);
    expect(byId(menu, 'state')).toMatchObject({ label, enabled: false });
    expect(byId(menu, 'open-folder')?.enabled).toBe(folderEnabled);
    expect(byId(menu, 'open-window')).toBeDefined();
    expect(byId(menu, 'quit')).toBeDefined();
    const item = byId(menu, toggle)!;
    expect(item).toBeDefined();
    expect(byId(menu, toggle === 'pause' ? 'resume' : 'pause')).toBeUndefined();
    if (state === 'setup' || state === 'error') expect(item.enabled).toBe(false);
    else {
      (item.click as () => void)();
      expect(toggle === 'pause' ? a.pause : a.resume).toHaveBeenCalled();
    }
    expect(byId(menu, 'preferences')?.enabled).toBe(state !== 'setup');
  });

  it('offers conflicts when there are some, and wires every click', () => {
    const a = actions();
    const menu = trayMenuTemplate(status({ conflicts: 2 }), a);
    expect(byId(menu, 'conflicts')?.label).toBe('2 conflicted copies — review…');
    for (const id of ['conflicts', 'open-folder', 'open-window', 'preferences', 'quit'])
      (byId(menu, id)!.click as () => void)();
    expect(a.openWindow).toHaveBeenCalledTimes(2);
    expect(a.openFolder).toHaveBeenCalled();
    expect(a.openPreferences).toHaveBeenCalled();
    expect(a.quit).toHaveBeenCalled();
  });

  it('before the first status: starting, nothing to pause', () => {
    const menu = trayMenuTemplate(null, actions());
    expect(byId(menu, 'state')?.label).toBe('Starting…');
    expect(byId(menu, 'pause')?.enabled).toBe(false);
  });

  it('icons and tooltips follow the state', () => {
    expect(trayIcon(status({ state: 'idle' }))).toBe('ok');
    expect(trayIcon(status({ state: 'held' }))).toBe('error');
    expect(trayIcon(null)).toBe('setup');
    expect(
      trayTooltip(status({ state: 'syncing', pending: { uploads: 2, downloads: 1, other: 0, bytes: 9 } })),
    ).toBe('Cairn — Syncing… (3 files left)');
  });
});
