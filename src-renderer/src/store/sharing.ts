/**
 * Sharing store: shared folders with their members and roles, invitations to this account
 * (accept at a chosen path, or decline), the share dialog (invite by email with a role,
 * change a role, remove a member, leave, stop sharing) and public links (create with an
 * optional expiry and password, copy, revoke). Destructive actions take two steps: the first
 * click only asks (`confirm`), the second does it.
 *
 * Everything goes through the control API (`shares`, `shareAdd`, …, `links`, `linkCreate`,
 * `linkRevoke`); after each change the lists are loaded again, so what is shown is what the
 * server says.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ControlApi, LinkInfo } from '../../../src-shared/control.ts';
import type { Invitation, Share } from '../../../src-shared/protocol/model.ts';
import { describeError } from '../bridge/errors.ts';

export type MemberRole = 'editor' | 'viewer';

/** Link expiry choices of the form. */
export const EXPIRY_CHOICES = [
  { value: 'never', label: 'Never', ms: null },
  { value: '1d', label: 'In 1 day', ms: 86_400_000 },
  { value: '7d', label: 'In 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'In 30 days', ms: 30 * 86_400_000 },
] as const;
export type Expiry = (typeof EXPIRY_CHOICES)[number]['value'];

export interface InviteForm {
  email: string;
  role: MemberRole;
}

export interface LinkForm {
  path: string;
  expiry: Expiry;
  password: string;
}

/** The share dialog: a folder not shared yet (`path` typed in the dialog) or an existing share. */
export type ShareDialog = { kind: 'new'; path: string } | { kind: 'share'; ns: string };

/** A destructive action waiting for its second click. */
export type Confirm =
  | { kind: 'remove'; ns: string; email: string }
  | { kind: 'leave'; ns: string }
  | { kind: 'unshare'; ns: string }
  | { kind: 'revoke'; id: string };

export interface SharingState {
  shares: Share[];
  invitations: Invitation[];
  links: LinkInfo[];
  loading: boolean;
  /** Loaded at least once (the navigation shows the invitation count only then). */
  loaded: boolean;
  /** A call is in flight (buttons are disabled). */
  busy: boolean;
  error: string | null;
  message: string | null;
  dialog: ShareDialog | null;
  invite: InviteForm;
  /** Mount path typed for each invitation (default: the folder's name). */
  acceptPaths: Record<string, string>;
  linkForm: LinkForm;
  /** The URL of the link made last (shown in full, with copy). */
  created: { id: string; url: string } | null;
  confirm: Confirm | null;
  load(): Promise<void>;
  openDialog(d: ShareDialog): void;
  closeDialog(): void;
  editInvite(patch: Partial<InviteForm>): void;
  /** The path of the folder typed in a `new` dialog. */
  editNewPath(path: string): void;
  sendInvite(): Promise<boolean>;
  setRole(ns: string, email: string, role: MemberRole): Promise<boolean>;
  ask(c: Confirm | null): void;
  /** Carries out the confirmed action. */
  confirmNow(): Promise<boolean>;
  setAcceptPath(id: string, path: string): void;
  accept(id: string): Promise<boolean>;
  decline(id: string): Promise<boolean>;
  editLink(patch: Partial<LinkForm>): void;
  createLink(): Promise<boolean>;
  copy(url: string): Promise<boolean>;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

/** Why the invitation cannot be sent yet, or null. */
export function validateInvite(path: string, f: InviteForm): string | null {
  if (!path.trim()) return 'Choose the folder to share.';
  if (!EMAIL_RE.test(f.email.trim())) return 'Enter the email address of the person to invite.';
  return null;
}

/** Why the link cannot be created yet, or null. */
export function validateLink(f: LinkForm): string | null {
  if (!f.path.trim()) return 'Enter the file or folder to link to.';
  return null;
}

/** Absolute expiry time of a choice (ms), or undefined for none. */
export function expiresAt(e: Expiry, now: number): number | undefined {
  const c = EXPIRY_CHOICES.find((x) => x.value === e);
  return c?.ms ? now + c.ms : undefined;
}

/** A path typed by the user as a home path: `/` separators, no leading `./` or `/`, no trailing `/`. */
export function cleanPath(p: string): string {
  return p
    .trim()
    .replace(/\\/g, '/')
    .replace(/^(\.\/|\/)+/, '')
    .replace(/\/+$/, '');
}

/** Options of {@link createSharingStore}. */
export interface SharingStoreOptions {
  /** Puts text on the clipboard (default: navigator.clipboard). */
  copyText?: (text: string) => Promise<void>;
  /** The clock (tests). */
  now?: () => number;
}

const emptyInvite: InviteForm = { email: '', role: 'editor' };
const emptyLink: LinkForm = { path: '', expiry: 'never', password: '' };

/** Creates the sharing store over a control API. */
export function createSharingStore(api: ControlApi, opts: SharingStoreOptions = {}): StoreApi<SharingState> {
  const now = opts.now ?? Date.now;
  const copyText =
    opts.copyText ??
    (async (text: string) => {
      if (!globalThis.navigator?.clipboard) throw new Error('no clipboard here: select the link and copy it');
      await globalThis.navigator.clipboard.writeText(text);
    });
  return createStore<SharingState>()((set, get) => {
    /** Runs a change, then reloads; reports the outcome as a message or an error. */
    const change = async (fn: () => Promise<string>, after: Partial<SharingState> = {}): Promise<boolean> => {
      set({ busy: true, error: null, message: null });
      try {
        const message = await fn();
        set({ busy: false, message, confirm: null, ...after });
        await get().load();
        return true;
      } catch (err) {
        set({ busy: false, confirm: null, error: describeError(err) });
        return false;
      }
    };
    const shareByNs = (ns: string) => get().shares.find((s) => s.ns === ns);
    return {
      shares: [],
      invitations: [],
      links: [],
      loading: false,
      loaded: false,
      busy: false,
      error: null,
      message: null,
      dialog: null,
      invite: emptyInvite,
      acceptPaths: {},
      linkForm: emptyLink,
      created: null,
      confirm: null,
      async load() {
        set({ loading: true });
        const errors: string[] = [];
        const [shares, links] = await Promise.all([
          api.shares({}).catch((e: unknown) => void errors.push(describeError(e))),
          api.links({}).catch((e: unknown) => void errors.push(describeError(e))),
        ]);
        const acceptPaths = { ...get().acceptPaths };
        for (const i of shares?.invitations ?? []) acceptPaths[i.id] ??= i.name;
        set({
          loading: false,
          loaded: true,
          shares: shares ? shares.shares : get().shares,
          invitations: shares ? shares.invitations : get().invitations,
          links: links ? links.links : get().links,
          acceptPaths,
          ...(errors.length ? { error: errors[0] } : {}),
        });
      },
      openDialog(dialog) {
        set({ dialog, invite: emptyInvite, error: null, message: null, confirm: null });
        // Members may have accepted or left since the list was loaded: show them as they are now.
        if (dialog.kind === 'share') void get().load();
      },
      closeDialog: () => set({ dialog: null, confirm: null }),
      editInvite: (patch) => set({ invite: { ...get().invite, ...patch }, error: null }),
      editNewPath(path) {
        const d = get().dialog;
        if (d?.kind === 'new') set({ dialog: { kind: 'new', path }, error: null });
      },
      async sendInvite() {
        const d = get().dialog;
        if (!d) return false;
        const path = d.kind === 'new' ? cleanPath(d.path) : (shareByNs(d.ns)?.mount_path ?? '');
        const f = get().invite;
        const problem = validateInvite(path, f);
        if (problem) {
          set({ error: problem });
          return false;
        }
        return change(
          async () => {
            const r = await api.shareAdd({ path, email: f.email.trim(), role: f.role });
            // The folder is shared now: the dialog goes on with it (members, more invitations).
            set({ dialog: { kind: 'share', ns: r.ns } });
            return `Invited ${r.member.email} as ${r.member.role}. They can accept it from their Cairn.`;
          },
          { invite: emptyInvite },
        );
      },
      setRole(ns, email, role) {
        const path = shareByNs(ns)?.mount_path ?? '';
        return change(async () => {
          await api.shareSetRole({ path, email, role });
          return `${email} is now ${role === 'editor' ? 'an editor' : 'a viewer'}.`;
        });
      },
      ask: (confirm) => set({ confirm, error: null, message: null }),
      async confirmNow() {
        const c = get().confirm;
        if (!c) return false;
        if (c.kind === 'revoke') {
          const link = get().links.find((l) => l.id === c.id);
          return change(async () => {
            await api.linkRevoke({ id: c.id });
            if (get().created?.id === c.id) set({ created: null });
            return `The link to ${link?.home_path ?? 'the item'} no longer works.`;
          });
        }
        const share = shareByNs(c.ns);
        const path = share?.mount_path ?? '';
        if (c.kind === 'remove')
          return change(async () => {
            await api.shareRemove({ path, email: c.email });
            return `${c.email} was removed from ${path}. Their devices keep a copy of what they had.`;
          });
        // Leaving or unsharing ends the dialog about that folder.
        if (c.kind === 'leave')
          return change(
            async () => {
              await api.shareLeave({ path });
              return `You left ${path}. This computer keeps a copy of its files.`;
            },
            { dialog: null },
          );
        return change(
          async () => {
            await api.shareUnshare({ path });
            return `${path} is no longer shared. It stays in your Cairn; members keep their copies.`;
          },
          { dialog: null },
        );
      },
      setAcceptPath: (id, path) => set({ acceptPaths: { ...get().acceptPaths, [id]: path }, error: null }),
      accept(id) {
        const path = cleanPath(get().acceptPaths[id] ?? '');
        return change(async () => {
          const r = await api.shareAccept({ id, ...(path ? { path } : {}) });
          return `Accepted. The folder is in your Cairn at ${r.mount.mount_path}.`;
        });
      },
      decline(id) {
        const inv = get().invitations.find((i) => i.id === id);
        return change(async () => {
          await api.shareDecline({ id });
          return `Declined the invitation to “${inv?.name ?? 'the folder'}”.`;
        });
      },
      editLink: (patch) => set({ linkForm: { ...get().linkForm, ...patch }, error: null }),
      async createLink() {
        const f = get().linkForm;
        const problem = validateLink(f);
        if (problem) {
          set({ error: problem });
          return false;
        }
        const exp = expiresAt(f.expiry, now());
        return change(
          async () => {
            const r = await api.linkCreate({
              path: cleanPath(f.path),
              ...(exp !== undefined ? { expires_at: exp } : {}),
              ...(f.password ? { password: f.password } : {}),
            });
            set({ created: { id: r.link.id, url: r.url } });
            return `Link created for ${r.link.home_path ?? cleanPath(f.path)}. Copy it below: once Cairn restarts, it can no longer be shown.`;
          },
          // The password has done its job once the link exists.
          { linkForm: emptyLink },
        );
      },
      async copy(url) {
        try {
          await copyText(url);
          set({ message: 'Link copied.', error: null });
          return true;
        } catch (err) {
          set({ error: `Could not copy: ${describeError(err)}` });
          return false;
        }
      },
    };
  });
}
