/**
 * Selective sync store: the server's folder tree (loaded folder by folder), which folders
 * this device keeps, and applying a change — excluding folders first shows what would be
 * removed locally (`excludePreview`) and waits for the user to confirm.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ControlApi } from '../../../src-shared/control.ts';
import { describeError } from '../bridge/errors.ts';
import { parentPath } from './format.ts';

/** A folder on the server with its recursive size. */
export interface FolderNode {
  path: string;
  size: number;
  files: number;
}

/** What excluding the pending folders would remove locally. */
export interface ExcludePreview {
  files: number;
  bytes: number;
  unsynced: number;
}

export type SelectivePhase = 'edit' | 'previewing' | 'confirm' | 'applying';

export interface SelectiveState {
  nodes: Record<string, FolderNode>;
  /** Child folder paths by parent path ("" = the root); absent = not loaded yet. */
  children: Record<string, string[]>;
  expanded: Record<string, boolean>;
  /** Excluded folders as the engine has them now. */
  saved: string[];
  /** Excluded folders as the user wants them. */
  excluded: string[];
  phase: SelectivePhase;
  preview: ExcludePreview | null;
  loading: boolean;
  error: string | null;
  message: string | null;
  load(): Promise<void>;
  toggleExpand(path: string): Promise<void>;
  /** Checks (keeps) or unchecks (excludes) a folder. */
  setKept(path: string, kept: boolean): void;
  reset(): void;
  /** Applies the change: asks first when something would be removed locally. */
  apply(): Promise<void>;
  confirm(): Promise<void>;
  cancel(): void;
}

/** True when `path` is `folder` or inside it. */
export function isUnder(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith('/') ? folder : folder + '/');
}

const keyOf = (path: string) => {
  const p = parentPath(path);
  return p === '/' ? '' : p;
};

/** The folders to exclude and to include again to go from `saved` to `excluded`. */
export function diffExcluded(saved: string[], excluded: string[]): { add: string[]; remove: string[] } {
  return {
    add: excluded.filter((p) => !saved.includes(p)),
    remove: saved.filter((p) => !excluded.includes(p)),
  };
}

/** Whether a folder is kept, and whether it can be changed (not under an excluded folder). */
export function folderState(path: string, excluded: string[]): { kept: boolean; locked: boolean } {
  const locked = excluded.some((e) => e !== path && isUnder(path, e));
  return { kept: !locked && !excluded.includes(path), locked };
}

/** Creates the selective sync store over a control API. */
export function createSelectiveStore(api: ControlApi): StoreApi<SelectiveState> {
  const loadFolder = async (
    folder: string,
    set: StoreApi<SelectiveState>['setState'],
    get: () => SelectiveState,
  ) => {
    const { folders } = await api.remoteTree(folder ? { path: folder } : {});
    const nodes = { ...get().nodes };
    const children: Record<string, string[]> = { ...get().children, [folder]: [] };
    for (const f of folders) {
      nodes[f.path] = { path: f.path, size: f.size, files: f.files };
      const parent = keyOf(f.path);
      const list = children[parent] ?? (children[parent] = []);
      if (!list.includes(f.path)) list.push(f.path);
    }
    for (const k of Object.keys(children)) children[k] = [...children[k]!].sort((a, b) => a.localeCompare(b));
    set({ nodes, children });
  };

  return createStore<SelectiveState>()((set, get) => ({
    nodes: {},
    children: {},
    expanded: {},
    saved: [],
    excluded: [],
    phase: 'edit',
    preview: null,
    loading: false,
    error: null,
    message: null,
    async load() {
      set({
        loading: true,
        error: null,
        children: {},
        nodes: {},
        expanded: {},
        phase: 'edit',
        preview: null,
      });
      try {
        const [{ excluded }] = await Promise.all([api.excludeList({}), loadFolder('', set, get)]);
        set({ saved: excluded, excluded: [...excluded], loading: false });
      } catch (err) {
        set({ loading: false, error: describeError(err) });
      }
    },
    async toggleExpand(path) {
      const open = !get().expanded[path];
      set({ expanded: { ...get().expanded, [path]: open } });
      if (open && !get().children[path]) {
        try {
          await loadFolder(path, set, get);
        } catch (err) {
          set({ error: describeError(err) });
        }
      }
    },
    setKept(path, kept) {
      if (get().phase !== 'edit') return;
      let excluded = get().excluded;
      if (kept) excluded = excluded.filter((p) => p !== path);
      // Excluding a folder covers everything inside it.
      else excluded = [...excluded.filter((p) => !isUnder(p, path)), path];
      set({ excluded, message: null, error: null });
    },
    reset: () =>
      set({ excluded: [...get().saved], phase: 'edit', preview: null, message: null, error: null }),
    async apply() {
      const { add } = diffExcluded(get().saved, get().excluded);
      if (add.length === 0) return get().confirm();
      set({ phase: 'previewing', error: null, message: null });
      try {
        const preview = await api.excludePreview({ paths: add });
        set({ phase: 'confirm', preview });
      } catch (err) {
        set({ phase: 'edit', error: describeError(err) });
      }
    },
    async confirm() {
      const { add, remove } = diffExcluded(get().saved, get().excluded);
      set({ phase: 'applying', error: null });
      let saved = get().saved;
      try {
        for (const path of add) saved = (await api.excludeAdd({ path })).excluded;
        for (const path of remove) saved = (await api.excludeRemove({ path })).excluded;
        const parts = [];
        if (add.length)
          parts.push(
            `${add.length} folder${add.length > 1 ? 's' : ''} will no longer be kept on this computer`,
          );
        if (remove.length)
          parts.push(`${remove.length} folder${remove.length > 1 ? 's' : ''} will be downloaded`);
        set({
          saved,
          excluded: [...saved],
          phase: 'edit',
          preview: null,
          message: parts.length ? `Saved: ${parts.join('; ')}.` : 'Nothing to change.',
        });
      } catch (err) {
        // Part of the change may have gone through: show the engine's view again.
        const fresh = await api.excludeList({}).then(
          (r) => r.excluded,
          () => saved,
        );
        set({ saved: fresh, phase: 'edit', preview: null, error: describeError(err) });
      }
    },
    cancel: () => set({ phase: 'edit', preview: null }),
  }));
}
