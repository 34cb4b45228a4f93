/**
 * The app store: engine status, recent activity, the event stream's health, the current
 * screen and a one-line notice. Status comes from a first `status` call and then from
 * `status` events; activity items are prepended as they arrive.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ActivityItem, ControlApi, ControlEvent, Status } from '../../../src-shared/control.ts';
import { describeError } from '../bridge/errors.ts';
import type { Connection } from '../bridge/types.ts';

/** The screens reachable from the navigation (first run is shown instead while in `setup`). */
export type Screen = 'status' | 'conflicts' | 'history' | 'deleted' | 'selective' | 'sharing' | 'preferences';

/** A transient message shown at the top of the window. */
export interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

export interface AppState {
  screen: Screen;
  status: Status | null;
  activity: ActivityItem[];
  connection: Connection;
  /** Set when the first status call failed (nothing else to show). */
  loadError: string | null;
  /** A pause/resume/confirm call is in flight. */
  busy: boolean;
  notice: Notice | null;
  /** Step of the two-step confirmation of a held mass delete. */
  confirmingDeletes: boolean;
  go(screen: Screen): void;
  refresh(): Promise<void>;
  applyEvent(event: ControlEvent): void;
  setConnection(c: Connection): void;
  pause(): Promise<void>;
  resume(): Promise<void>;
  askConfirmDeletes(ask: boolean): void;
  confirmDeletes(): Promise<void>;
  rejectDeletes(): Promise<void>;
  notify(notice: Notice | null): void;
}

/** How many activity items the status screen keeps. */
export const ACTIVITY_LIMIT = 50;

/** Creates the app store over a control API. */
export function createAppStore(api: ControlApi): StoreApi<AppState> {
  return createStore<AppState>()((set, get) => {
    /** Runs a status-returning call with the busy flag, reporting failure as a notice. */
    const statusCall = async (fn: () => Promise<Status>, ok?: string) => {
      set({ busy: true });
      try {
        const status = await fn();
        set({
          status,
          busy: false,
          confirmingDeletes: false,
          notice: ok ? { kind: 'ok', text: ok } : get().notice,
        });
      } catch (err) {
        set({ busy: false, notice: { kind: 'error', text: describeError(err) } });
      }
    };
    return {
      screen: 'status',
      status: null,
      activity: [],
      connection: 'connecting',
      loadError: null,
      busy: false,
      notice: null,
      confirmingDeletes: false,
      go: (screen) => set({ screen, notice: null }),
      async refresh() {
        try {
          // Activity is a nice-to-have: a failure there must not hide the status.
          const [status, activity] = await Promise.all([
            api.status({}),
            api.activity({ limit: ACTIVITY_LIMIT }).catch(() => null),
          ]);
          set({ status, activity: activity ? activity.items : get().activity, loadError: null });
        } catch (err) {
          set({ loadError: describeError(err) });
        }
      },
      applyEvent(event) {
        if (event.type === 'status') set({ status: event.status, loadError: null });
        else if (event.type === 'activity') {
          const rest = get().activity.filter((a) => a.id !== event.item.id);
          set({ activity: [event.item, ...rest].slice(0, ACTIVITY_LIMIT) });
        }
      },
      setConnection(c) {
        const was = get().connection;
        set({ connection: c });
        // Events may have been missed while the stream was down: catch up.
        if (c === 'live' && was !== 'live' && was !== 'connecting') void get().refresh();
      },
      pause: () => statusCall(() => api.pause({}), 'Syncing paused.'),
      resume: () => statusCall(() => api.resume({}), 'Syncing resumed.'),
      askConfirmDeletes: (ask) => set({ confirmingDeletes: ask }),
      confirmDeletes: () => statusCall(() => api.confirmDeletes({}), 'The deletions were carried out.'),
      rejectDeletes: () =>
        statusCall(() => api.rejectDeletes({}), 'The deletions were refused; the files will be restored.'),
      notify: (notice) => set({ notice }),
    };
  });
}
