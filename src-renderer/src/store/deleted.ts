/** Deleted files store: what can still be restored, and restoring it. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ControlApi } from '../../../src-shared/control.ts';
import type { Entry } from '../../../src-shared/protocol/model.ts';
import { describeError } from '../bridge/errors.ts';

export interface DeletedState {
  entries: Entry[];
  loading: boolean;
  error: string | null;
  working: string | null;
  message: string | null;
  load(): Promise<void>;
  undelete(path: string): Promise<boolean>;
}

/** Creates the deleted files store over a control API. */
export function createDeletedStore(api: ControlApi): StoreApi<DeletedState> {
  return createStore<DeletedState>()((set, get) => ({
    entries: [],
    loading: false,
    error: null,
    working: null,
    message: null,
    async load() {
      set({ loading: true, error: null });
      try {
        const { entries } = await api.deleted({});
        set({ entries: [...entries].sort((a, b) => b.server_time - a.server_time), loading: false });
      } catch (err) {
        set({ loading: false, error: describeError(err) });
      }
    },
    async undelete(path) {
      set({ working: path, error: null, message: null });
      try {
        await api.undelete({ path });
        set({
          working: null,
          entries: get().entries.filter((e) => e.path !== path),
          message: `Restored ${path}.`,
        });
        return true;
      } catch (err) {
        set({ working: null, error: describeError(err) });
        return false;
      }
    },
  }));
}
