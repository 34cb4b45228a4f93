/**
 * Preferences store: device settings (bandwidth limits, start at login, ignore rules) as an
 * editable draft, linked devices with revoke, the account with its quota, and unlinking.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ControlApi, Settings } from '../../../src-shared/control.ts';
import type { Account, Device } from '../../../src-shared/protocol/model.ts';
import { describeError } from '../bridge/errors.ts';

export interface PrefsState {
  settings: Settings | null;
  draft: Settings | null;
  devices: Device[];
  account: Account | null;
  loading: boolean;
  saving: boolean;
  error: string | null;
  message: string | null;
  /** Device id whose revoke waits for a second click. */
  revoking: string | null;
  load(): Promise<void>;
  edit(patch: Partial<Settings>): void;
  /** True when the draft differs from the saved settings. */
  dirty(): boolean;
  save(): Promise<boolean>;
  askRevoke(id: string | null): void;
  revoke(id: string): Promise<boolean>;
  logout(): Promise<boolean>;
}

/** The settings fields that differ between `a` and `b`. */
export function changedSettings(a: Settings, b: Settings): Partial<Settings> {
  const out: Partial<Settings> = {};
  for (const k of Object.keys(b) as (keyof Settings)[])
    if (a[k] !== b[k]) (out as Record<string, unknown>)[k] = b[k];
  return out;
}

/** Creates the preferences store over a control API. */
export function createPrefsStore(api: ControlApi): StoreApi<PrefsState> {
  return createStore<PrefsState>()((set, get) => ({
    settings: null,
    draft: null,
    devices: [],
    account: null,
    loading: false,
    saving: false,
    error: null,
    message: null,
    revoking: null,
    async load() {
      set({ loading: true, error: null, message: null });
      const errors: string[] = [];
      const [settings, devices, account] = await Promise.all([
        api.getSettings({}).catch((e: unknown) => void errors.push(describeError(e))),
        api.devices({}).catch((e: unknown) => void errors.push(describeError(e))),
        api.account({}).catch((e: unknown) => void errors.push(describeError(e))),
      ]);
      set({
        loading: false,
        settings: settings ?? null,
        draft: settings ? { ...settings } : null,
        devices: devices?.devices ?? [],
        account: account ?? null,
        error: errors[0] ?? null,
      });
    },
    edit(patch) {
      const draft = get().draft;
      if (draft) set({ draft: { ...draft, ...patch }, message: null });
    },
    dirty() {
      const { settings, draft } = get();
      return !!settings && !!draft && Object.keys(changedSettings(settings, draft)).length > 0;
    },
    async save() {
      const { settings, draft } = get();
      if (!settings || !draft) return false;
      set({ saving: true, error: null, message: null });
      try {
        const saved = await api.setSettings(changedSettings(settings, draft));
        set({ saving: false, settings: saved, draft: { ...saved }, message: 'Preferences saved.' });
        return true;
      } catch (err) {
        set({ saving: false, error: describeError(err) });
        return false;
      }
    },
    askRevoke: (id) => set({ revoking: id }),
    async revoke(id) {
      set({ error: null, message: null });
      try {
        await api.revokeDevice({ id });
        const name = get().devices.find((d) => d.id === id)?.name ?? id;
        set({
          revoking: null,
          devices: get().devices.filter((d) => d.id !== id),
          message: `${name} can no longer sync.`,
        });
        return true;
      } catch (err) {
        set({ revoking: null, error: describeError(err) });
        return false;
      }
    },
    async logout() {
      try {
        await api.logout({});
        return true;
      } catch (err) {
        set({ error: describeError(err) });
        return false;
      }
    },
  }));
}
