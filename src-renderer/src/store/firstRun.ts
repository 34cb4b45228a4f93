/**
 * First-run store: the server, account and folder form, and linking this device (`link`).
 * Client-side checks mirror the control schema so the user sees a clear message before a
 * round trip. The folder can come from the OS folder dialog (`pickFolder`, desktop app only);
 * where there is none (browser mode answers `unsupported`) the typed path is the way.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ControlApi, Status } from '../../../src-shared/control.ts';
import { describeError, toControlError } from '../bridge/errors.ts';

export interface FirstRunForm {
  mode: 'signup' | 'login';
  server: string;
  email: string;
  password: string;
  device_name: string;
  folder: string;
}

export interface FirstRunState {
  form: FirstRunForm;
  submitting: boolean;
  error: string | null;
  /** True while a folder dialog can be offered (the desktop app); false once it said `unsupported`. */
  pickerAvailable: boolean;
  /** The folder dialog is open. */
  picking: boolean;
  set(patch: Partial<FirstRunForm>): void;
  /** Opens the OS folder dialog and puts the chosen folder in the form (cancel changes nothing). */
  pickFolder(): Promise<void>;
  /** Links the device; returns the new status on success. */
  submit(): Promise<Status | null>;
}

/** Why the form cannot be sent yet, or null when it can. */
export function validateFirstRun(f: FirstRunForm): string | null {
  if (!/^https?:\/\/[^\s/]+/i.test(f.server.trim()))
    return 'Enter the server address, starting with https:// or http://.';
  if (!/^[^\s@]+@[^\s@]+$/.test(f.email.trim())) return 'Enter your email address.';
  if (f.password.length < 8) return 'The password needs at least 8 characters.';
  if (!f.folder.trim()) return 'Choose the folder Cairn keeps in sync.';
  return null;
}

/** Creates the first-run store over a control API (`defaults` pre-fill the form). */
export function createFirstRunStore(
  api: ControlApi,
  defaults: Partial<FirstRunForm> = {},
  opts: { picker?: boolean } = {},
): StoreApi<FirstRunState> {
  return createStore<FirstRunState>()((set, get) => ({
    form: { mode: 'signup', server: '', email: '', password: '', device_name: '', folder: '', ...defaults },
    submitting: false,
    error: null,
    pickerAvailable: opts.picker ?? false,
    picking: false,
    set: (patch) => set({ form: { ...get().form, ...patch }, error: null }),
    async pickFolder() {
      if (get().picking) return;
      set({ picking: true, error: null });
      const current = get().form.folder.trim();
      try {
        const r = await api.pickFolder({
          title: 'Choose your Cairn folder',
          ...(current ? { default_path: current } : {}),
        });
        set({ picking: false, ...(r.path ? { form: { ...get().form, folder: r.path } } : {}) });
      } catch (err) {
        if (toControlError(err).code === 'unsupported')
          set({
            picking: false,
            pickerAvailable: false,
            error: 'There is no folder dialog here: type the folder path.',
          });
        else set({ picking: false, error: describeError(err) });
      }
    },
    async submit() {
      const f = get().form;
      const problem = validateFirstRun(f);
      if (problem) {
        set({ error: problem });
        return null;
      }
      set({ submitting: true, error: null });
      try {
        const status = await api.link({
          mode: f.mode,
          server: f.server.trim().replace(/\/+$/, ''),
          email: f.email.trim(),
          password: f.password,
          folder: f.folder.trim(),
          ...(f.device_name.trim() ? { device_name: f.device_name.trim() } : {}),
        });
        // The password is not kept once it has done its job.
        set({ submitting: false, form: { ...get().form, password: '' } });
        return status;
      } catch (err) {
        set({ submitting: false, error: describeError(err) });
        return null;
      }
    },
  }));
}
