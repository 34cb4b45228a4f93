/**
 * Conflicts store: the conflicted copies beside their originals, and settling one. The
 * control API's `keep` values: `mine` = the conflicted copy replaces the original, `theirs` =
 * the copy is deleted and the original stays, `both` = the copy stays as a normal file. The
 * screen labels them by file and device instead ("Keep the copy from laptop", "Keep the
 * original"), since "mine" is ambiguous when both versions came from the user's own devices.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConflictInfo, ControlApi } from '../../../src-shared/control.ts';
import { describeError } from '../bridge/errors.ts';

export type Keep = 'mine' | 'theirs' | 'both';

export interface ConflictsState {
  items: ConflictInfo[];
  loading: boolean;
  error: string | null;
  /** Path of the conflicted copy being settled. */
  settling: string | null;
  /** Path whose "open both" paths are shown. */
  opened: string | null;
  load(): Promise<void>;
  resolve(path: string, keep: Keep): Promise<boolean>;
  toggleOpen(path: string): void;
}

/** Creates the conflicts store over a control API. */
export function createConflictsStore(api: ControlApi): StoreApi<ConflictsState> {
  return createStore<ConflictsState>()((set, get) => ({
    items: [],
    loading: false,
    error: null,
    settling: null,
    opened: null,
    async load() {
      set({ loading: true, error: null });
      try {
        const { conflicts } = await api.conflicts({});
        set({ items: conflicts, loading: false });
      } catch (err) {
        set({ loading: false, error: describeError(err) });
      }
    },
    async resolve(path, keep) {
      set({ settling: path, error: null });
      try {
        await api.resolveConflict({ path, keep });
        set({ items: get().items.filter((c) => c.path !== path), settling: null });
        return true;
      } catch (err) {
        set({ settling: null, error: describeError(err) });
        return false;
      }
    },
    toggleOpen: (path) => set({ opened: get().opened === path ? null : path }),
  }));
}
