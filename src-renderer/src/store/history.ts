/**
 * Version history store: a small file browser (`ls`) to pick a file, that file's
 * revisions, restoring one, and saving an old one to another local path.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ControlApi, LocalEntry } from '../../../src-shared/control.ts';
import type { Revision } from '../../../src-shared/protocol/model.ts';
import { describeError } from '../bridge/errors.ts';

export interface HistoryState {
  /** Folder shown in the browser ("" = the root). */
  folder: string;
  entries: LocalEntry[];
  /** File whose history is shown. */
  path: string | null;
  revisions: Revision[];
  loading: boolean;
  error: string | null;
  /** Revision being restored or saved. */
  working: string | null;
  /** Revision whose "save elsewhere" form is open. */
  savingRev: string | null;
  message: string | null;
  browse(folder: string): Promise<void>;
  open(path: string): Promise<void>;
  close(): void;
  restore(rev: string): Promise<boolean>;
  startSave(rev: string | null): void;
  saveAs(rev: string, dest: string): Promise<boolean>;
}

/** Creates the version history store over a control API. */
export function createHistoryStore(api: ControlApi): StoreApi<HistoryState> {
  return createStore<HistoryState>()((set, get) => ({
    folder: '',
    entries: [],
    path: null,
    revisions: [],
    loading: false,
    error: null,
    working: null,
    savingRev: null,
    message: null,
    async browse(folder) {
      set({ folder, loading: true, error: null });
      try {
        const { entries } = await api.ls(folder ? { path: folder } : {});
        const sorted = [...entries].sort((a, b) =>
          a.kind === b.kind ? a.path.localeCompare(b.path) : a.kind === 'folder' ? -1 : 1,
        );
        set({ entries: sorted, loading: false });
      } catch (err) {
        set({ entries: [], loading: false, error: describeError(err) });
      }
    },
    async open(path) {
      set({ path, revisions: [], loading: true, error: null, message: null, savingRev: null });
      try {
        const { revisions } = await api.history({ path });
        if (get().path === path) set({ revisions, loading: false });
      } catch (err) {
        if (get().path === path) set({ loading: false, error: describeError(err) });
      }
    },
    close: () => set({ path: null, revisions: [], message: null, error: null, savingRev: null }),
    async restore(rev) {
      const path = get().path;
      if (!path) return false;
      set({ working: rev, error: null, message: null });
      // The user may open another file while this runs: what comes back belongs to `path`
      // only, so it is shown only if `path` is still the open file.
      const stillOpen = () => get().path === path;
      try {
        await api.restore({ path, rev });
        const { revisions } = stillOpen() ? await api.history({ path }) : { revisions: null };
        if (!stillOpen() || !revisions) {
          set({ working: null });
          return true;
        }
        set({
          working: null,
          revisions,
          message: 'Restored. The old version is now the current one; nothing was lost.',
        });
        return true;
      } catch (err) {
        set(stillOpen() ? { working: null, error: describeError(err) } : { working: null });
        return false;
      }
    },
    startSave: (rev) => set({ savingRev: rev, message: null, error: null }),
    async saveAs(rev, dest) {
      const path = get().path;
      if (!path) return false;
      set({ working: rev, error: null, message: null });
      try {
        await api.saveRevision({ path, rev, dest });
        set(
          get().path === path
            ? { working: null, savingRev: null, message: `Saved a copy to ${dest}.` }
            : { working: null },
        );
        return true;
      } catch (err) {
        set(get().path === path ? { working: null, error: describeError(err) } : { working: null });
        return false;
      }
    },
  }));
}
