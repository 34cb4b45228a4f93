/**
 * All UI stores for one bridge, wired together: events and connection changes feed the app
 * store; a `status` event that reports more conflicts refreshes the conflicts list.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { Bridge } from '../bridge/types.ts';
import { createAppStore, type AppState } from './app.ts';
import { createConflictsStore, type ConflictsState } from './conflicts.ts';
import { createDeletedStore, type DeletedState } from './deleted.ts';
import { createFirstRunStore, type FirstRunState } from './firstRun.ts';
import { createHistoryStore, type HistoryState } from './history.ts';
import { createPrefsStore, type PrefsState } from './prefs.ts';
import { createSelectiveStore, type SelectiveState } from './selective.ts';
import { createSharingStore, type SharingState } from './sharing.ts';

export interface Stores {
  app: StoreApi<AppState>;
  conflicts: StoreApi<ConflictsState>;
  history: StoreApi<HistoryState>;
  deleted: StoreApi<DeletedState>;
  selective: StoreApi<SelectiveState>;
  prefs: StoreApi<PrefsState>;
  firstRun: StoreApi<FirstRunState>;
  sharing: StoreApi<SharingState>;
  /** Stops listening to the bridge. */
  dispose(): void;
}

/** Creates the stores over a bridge and starts following its events. */
export function createStores(
  bridge: Pick<Bridge, 'api' | 'onEvent' | 'onConnection'> & Partial<Pick<Bridge, 'kind'>>,
): Stores {
  const api = bridge.api;
  const app = createAppStore(api);
  const conflicts = createConflictsStore(api);
  const offEvent = bridge.onEvent((ev) => {
    const before = app.getState().status?.conflicts;
    app.getState().applyEvent(ev);
    if (
      ev.type === 'status' &&
      before !== undefined &&
      ev.status.conflicts !== before &&
      app.getState().screen === 'conflicts'
    ) {
      void conflicts.getState().load();
    }
  });
  const offConn = bridge.onConnection((c) => app.getState().setConnection(c));
  return {
    app,
    conflicts,
    history: createHistoryStore(api),
    deleted: createDeletedStore(api),
    selective: createSelectiveStore(api),
    prefs: createPrefsStore(api),
    // Only the desktop app has a folder dialog (the shell answers pickFolder).
    firstRun: createFirstRunStore(api, { device_name: '' }, { picker: bridge.kind === 'electron' }),
    sharing: createSharingStore(api),
    dispose() {
      offEvent();
      offConn();
    },
  };
}
