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
  /**
   * Device that wrote each original's current version (by original path), from its version
   * history: `undefined` while unknown, `null` when the server does not say.
   */
  originalDevices: Record<string, string | null>;
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
    originalDevices: {},
    async load() {
      set({ loading: true, error: null });
      let conflicts: ConflictInfo[];
      try {
        ({ conflicts } = await api.conflicts({}));
        set({ items: conflicts, loading: false });
      } catch (err) {
        set({ loading: false, error: describeError(err) });
        return;
      }
      // ConflictInfo names the copy's device only; the original's comes from its current
      // revision. Best effort: an original without history (never uploaded) shows no device.
      // Asked at each load: the original may have changed on another device since.
      const originals = [...new Set(conflicts.map((c) => c.original))];
      const found = await Promise.all(
        originals.map(async (o) => {
          try {
            const { revisions } = await api.history({ path: o });
            return [o, (revisions.find((r) => r.current) ?? revisions[0])?.device_name ?? null] as const;
          } catch {
            return [o, null] as const;
          }
        }),
      );
      set({ originalDevices: Object.fromEntries(found) });
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
