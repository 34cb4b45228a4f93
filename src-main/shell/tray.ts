/**
 * The tray: an icon per engine state and the menu (open the Cairn folder, open Cairn,
 * pause/resume, preferences, quit). The menu template is a pure function of the state so
 * it is tested without Electron.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { Status, SyncState } from '../../src-shared/control.ts';

/** What the tray menu can do; main.ts wires these to windows and the control API. */
export interface TrayActions {
  openFolder(): void;
  openWindow(): void;
  pause(): void;
  resume(): void;
  openPreferences(): void;
  quit(): void;
}

/** The tray's states: the engine's, plus `conflicts` folded into the icon (not the menu). */
export type TrayIcon = 'ok' | 'syncing' | 'paused' | 'offline' | 'error' | 'setup';

const ICON: Record<SyncState, TrayIcon> = {
  setup: 'setup',
  idle: 'ok',
  syncing: 'syncing',
  offline: 'offline',
  paused: 'paused',
  held: 'error',
  error: 'error',
};

const LABEL: Record<SyncState, string> = {
  setup: 'Not set up yet',
  idle: 'Up to date',
  syncing: 'Syncing…',
  offline: 'Offline — changes are kept',
  paused: 'Paused',
  held: 'Waiting for you: many deletions held',
  error: 'Stopped — open Cairn to see why',
};

/**
 * Icon name for a status: the file is `app/icons/tray-<name>.png` (`@2x` on HiDPI) on every OS.
 * Not a macOS template image: those are monochrome and would drop the coloured state badge.
 */
export function trayIcon(status: Pick<Status, 'state'> | null): TrayIcon {
  return status ? ICON[status.state] : 'setup';
}

/** Tooltip: "Cairn — Up to date" (plus pending files while syncing). */
export function trayTooltip(status: Status | null): string {
  if (!status) return 'Cairn — starting…';
  const pending = status.pending.uploads + status.pending.downloads + status.pending.other;
  const extra =
    status.state === 'syncing' && pending > 0 ? ` (${pending} file${pending === 1 ? '' : 's'} left)` : '';
  return `Cairn — ${LABEL[status.state]}${extra}`;
}

/** The tray menu for a status. */
export function trayMenuTemplate(status: Status | null, actions: TrayActions): MenuItemConstructorOptions[] {
  const state: SyncState | null = status?.state ?? null;
  const linked = state !== null && state !== 'setup';
  const paused = state === 'paused';
  const conflicts = status?.conflicts ?? 0;
  return [
    { id: 'state', label: state ? LABEL[state] : 'Starting…', enabled: false },
    ...(conflicts > 0
      ? [
          {
            id: 'conflicts',
            label: `${conflicts} conflicted cop${conflicts === 1 ? 'y' : 'ies'} — review…`,
            click: () => actions.openWindow(),
          },
        ]
      : []),
    { type: 'separator' },
    {
      id: 'open-folder',
      label: 'Open Cairn Folder',
      enabled: linked && !!status?.folder,
      click: () => actions.openFolder(),
    },
    { id: 'open-window', label: 'Open Cairn', click: () => actions.openWindow() },
    { type: 'separator' },
    paused
      ? { id: 'resume', label: 'Resume Syncing', click: () => actions.resume() }
      : {
          id: 'pause',
          label: 'Pause Syncing',
          enabled: linked && state !== 'error',
          click: () => actions.pause(),
        },
    { id: 'preferences', label: 'Preferences…', enabled: linked, click: () => actions.openPreferences() },
    { type: 'separator' },
    // No `role: 'quit'`: Quit must go through actions.quit(), which stops the engine first.
    { id: 'quit', label: 'Quit Cairn', click: () => actions.quit() },
  ];
}
