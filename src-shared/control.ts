/**
 * Control API schema map — the one typed contract between the engine (src-main/control)
 * and its users: the React UI (through the Electron preload or the browser bridge) and the
 * `cairn` CLI. Each method has an input and an output schema; every transport validates
 * input against it before the engine sees it (unknown methods and bad input answer
 * `bad_request`).
 *
 * Transports: Electron IPC (`ipcRenderer.invoke('cairn:call', method, input)`) and HTTP on
 * 127.0.0.1 (`POST /control/<method>` with JSON; `GET /control/events` is an SSE stream of
 * {@link ControlEvent}). Errors answer `{ error: { code, message } }` (errors.ts).
 *
 * May import: nothing of ours but errors/model.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { Account, Bytes, Device, Entry, Id, Invitation, Link, Mount, Rev, Revision, Share, ShareMember, TimeMs } from './protocol/model.ts';

const Path = Type.String({ maxLength: 16384 });
const Empty = Type.Object({});

/** Engine state shown by the tray and the status screen. */
export const SyncState = Type.Union([
  Type.Literal('setup'), // not linked to an account / no folder yet
  Type.Literal('idle'), // up to date
  Type.Literal('syncing'),
  Type.Literal('offline'),
  Type.Literal('paused'),
  Type.Literal('held'), // a mass delete waits for confirmation
  Type.Literal('error'), // stopped: e.g. the sync root vanished
]);
export type SyncState = Static<typeof SyncState>;

/** A file or condition the engine cannot sync, with what the user can do. */
export const SyncIssue = Type.Object({
  path: Type.String(),
  code: Type.String(),
  message: Type.String(),
  action: Type.String(),
  since: TimeMs,
});
export type SyncIssue = Static<typeof SyncIssue>;

export const Status = Type.Object({
  state: SyncState,
  server: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  device_name: Type.Union([Type.String(), Type.Null()]),
  folder: Type.Union([Type.String(), Type.Null()]),
  /** Files and bytes still to move in the current run. */
  pending: Type.Object({ uploads: Type.Integer(), downloads: Type.Integer(), other: Type.Integer(), bytes: Bytes }),
  progress: Type.Object({ done_bytes: Bytes, total_bytes: Bytes, eta_ms: Type.Union([Type.Integer(), Type.Null()]) }),
  /** Set while a mass delete is held for confirmation. */
  held_deletes: Type.Union([
    Type.Object({ side: Type.Union([Type.Literal('local'), Type.Literal('remote')]), count: Type.Integer(), sample: Type.Array(Type.String()) }),
    Type.Null(),
  ]),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  issues: Type.Array(SyncIssue),
  conflicts: Type.Integer(),
  last_synced_at: Type.Union([TimeMs, Type.Null()]),
});
export type Status = Static<typeof Status>;

export const ActivityItem = Type.Object({
  id: Type.Integer(),
  time: TimeMs,
  path: Type.String(),
  /** e.g. uploaded, downloaded, deleted_local, deleted_remote, moved, conflict, restored, error */
  action: Type.String(),
  device_name: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Union([Type.String(), Type.Null()]),
});
export type ActivityItem = Static<typeof ActivityItem>;

export const ConflictInfo = Type.Object({
  /** The conflicted copy, relative to the sync root. */
  path: Type.String(),
  /** The original it conflicts with. */
  original: Type.String(),
  size: Bytes,
  mtime: TimeMs,
  original_size: Type.Union([Bytes, Type.Null()]),
  original_mtime: Type.Union([TimeMs, Type.Null()]),
  /** The device whose edit became the conflicted copy (from the copy's name). */
  device_name: Type.Union([Type.String(), Type.Null()]),
  /** The device that wrote the original's current version on the server; null when unknown (never uploaded). */
  original_device_name: Type.Union([Type.String(), Type.Null()]),
});
export type ConflictInfo = Static<typeof ConflictInfo>;

export const LocalEntry = Type.Object({
  path: Type.String(),
  kind: Type.Union([Type.Literal('file'), Type.Literal('folder')]),
  size: Bytes,
  mtime: TimeMs,
  state: Type.Union([Type.Literal('synced'), Type.Literal('pending'), Type.Literal('excluded'), Type.Literal('error'), Type.Literal('remote_only')]),
});
export type LocalEntry = Static<typeof LocalEntry>;

export const Settings = Type.Object({
  /** Upload / download limits in bytes per second; 0 = unlimited. */
  upload_limit_bps: Type.Integer({ minimum: 0 }),
  download_limit_bps: Type.Integer({ minimum: 0 }),
  start_at_login: Type.Boolean(),
  /** Text of the root `.cairnignore` (gitignore syntax). */
  ignore_rules: Type.String({ maxLength: 65536 }),
});
export type Settings = Static<typeof Settings>;

/** A role another account can be given in a shared folder. */
const MemberRole = Type.Union([Type.Literal('editor'), Type.Literal('viewer')]);
const Email = Type.String({ minLength: 3, maxLength: 320 });
/** A path in the account's home as the synced folder shows it (`Team/plan.txt`); a shared folder by its mount path. */
const HomePath = Type.String({ minLength: 1, maxLength: 4096 });

/** A public link as this device lists it. */
export const LinkInfo = Type.Object({
  ...Link.properties,
  /** Where the linked entry is in this account's home; null when deleted or not in it. */
  home_path: Type.Union([Type.String(), Type.Null()]),
  /**
   * The full URL when this engine made the link since it started (the server stores only a
   * hash of the token, so it cannot give the URL again); null otherwise.
   */
  url: Type.Union([Type.String(), Type.Null()]),
});
export type LinkInfo = Static<typeof LinkInfo>;

/** One control method: input and output schemas. */
export interface ControlMethodDef {
  summary: string;
  input: TSchema;
  output: TSchema;
}

export const controlMethods = {
  status: { summary: 'Current sync status.', input: Empty, output: Status },
  activity: {
    summary: 'Recent activity, newest first.',
    input: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
    output: Type.Object({ items: Type.Array(ActivityItem) }),
  },
  link: {
    summary: 'First run: sign up or log in, and choose the sync folder.',
    input: Type.Object({
      mode: Type.Union([Type.Literal('signup'), Type.Literal('login')]),
      server: Type.String({ minLength: 1, maxLength: 2048 }),
      email: Type.String({ minLength: 3, maxLength: 320 }),
      password: Type.String({ minLength: 8, maxLength: 1024 }),
      device_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
      folder: Type.String({ minLength: 1, maxLength: 4096 }),
    }),
    output: Status,
  },
  logout: { summary: 'Unlink this device (revokes its token).', input: Empty, output: Empty },
  pause: { summary: 'Pause syncing.', input: Empty, output: Status },
  resume: { summary: 'Resume syncing.', input: Empty, output: Status },
  ls: {
    summary: 'Entries of a folder with their sync state.',
    input: Type.Object({ path: Type.Optional(Path) }),
    output: Type.Object({ entries: Type.Array(LocalEntry) }),
  },
  conflicts: { summary: 'Conflicted copies beside their originals.', input: Empty, output: Type.Object({ conflicts: Type.Array(ConflictInfo) }) },
  resolveConflict: {
    summary: 'Settle a conflicted copy: keep mine (the copy replaces the original), keep theirs (the copy is deleted), keep both (the copy stays as a normal file).',
    input: Type.Object({ path: Path, keep: Type.Union([Type.Literal('mine'), Type.Literal('theirs'), Type.Literal('both')]) }),
    output: Empty,
  },
  history: { summary: 'Revisions of a file, newest first.', input: Type.Object({ path: Path }), output: Type.Object({ revisions: Type.Array(Revision) }) },
  restore: { summary: 'Restore a revision of a file.', input: Type.Object({ path: Path, rev: Rev }), output: Type.Object({ entry: Entry }) },
  saveRevision: {
    summary: 'Save an old revision of a file to another local path (absolute). An existing file at dest is overwritten; the engine\'s temp names (.cairn-tmp-*) in the sync root are refused.',
    input: Type.Object({ path: Path, rev: Rev, dest: Type.String({ minLength: 1, maxLength: 4096 }) }),
    output: Empty,
  },
  deleted: { summary: 'Deleted files that can be restored.', input: Type.Object({ path: Type.Optional(Path) }), output: Type.Object({ entries: Type.Array(Entry) }) },
  undelete: { summary: 'Restore a deleted file or folder.', input: Type.Object({ path: Path }), output: Type.Object({ entry: Entry }) },
  remoteTree: {
    summary: 'Folders on the server under a path with their sizes (bytes, recursive) and whether each is excluded (for selective sync).',
    input: Type.Object({ path: Type.Optional(Path) }),
    output: Type.Object({ folders: Type.Array(Type.Object({ path: Type.String(), size: Bytes, files: Type.Integer(), excluded: Type.Boolean() })) }),
  },
  excludeList: { summary: 'Selective sync: excluded folders.', input: Empty, output: Type.Object({ excluded: Type.Array(Type.String()) }) },
  excludePreview: {
    summary: 'What excluding these folders would remove locally.',
    input: Type.Object({ paths: Type.Array(Path, { maxItems: 1000 }) }),
    output: Type.Object({ files: Type.Integer(), bytes: Bytes, unsynced: Type.Integer() }),
  },
  excludeAdd: { summary: 'Exclude a folder from this device.', input: Type.Object({ path: Path }), output: Type.Object({ excluded: Type.Array(Type.String()) }) },
  excludeRemove: { summary: 'Include a folder again.', input: Type.Object({ path: Path }), output: Type.Object({ excluded: Type.Array(Type.String()) }) },
  confirmDeletes: { summary: 'Carry out a held mass delete.', input: Empty, output: Status },
  rejectDeletes: { summary: 'Refuse a held mass delete: the deleted files are restored from the other side.', input: Empty, output: Status },
  getSettings: { summary: 'Device settings.', input: Empty, output: Settings },
  setSettings: { summary: 'Change device settings (partial).', input: Type.Partial(Settings), output: Settings },
  account: { summary: 'Account, quota and usage.', input: Empty, output: Account },
  devices: { summary: 'Linked devices.', input: Empty, output: Type.Object({ devices: Type.Array(Device) }) },
  revokeDevice: { summary: 'Revoke another device.', input: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }), output: Empty },
  pickFolder: {
    summary:
      'Ask the user for a local folder with the OS folder dialog (Electron only: the shell answers it). `path` null when cancelled. Browser/headless mode answers `unsupported`: type the path instead.',
    input: Type.Object({
      title: Type.Optional(Type.String({ maxLength: 200 })),
      default_path: Type.Optional(Type.String({ maxLength: 4096 })),
    }),
    output: Type.Object({ path: Type.Union([Type.String(), Type.Null()]) }),
  },
  shares: {
    summary: 'Shared folders this account is in (members, roles, pending invitations) and invitations addressed to it.',
    input: Empty,
    output: Type.Object({ shares: Type.Array(Share), invitations: Type.Array(Invitation) }),
  },
  shareAdd: {
    summary:
      'Invite an account by email to a folder (by its path in your Cairn) as editor or viewer; a plain folder becomes a shared folder. Pending until accepted.',
    input: Type.Object({ path: HomePath, email: Email, role: MemberRole }),
    output: Type.Object({ ns: Id, member: ShareMember }),
  },
  shareSetRole: {
    summary: "Change a member's (or a pending invitation's) role in a shared folder you own.",
    input: Type.Object({ path: HomePath, email: Email, role: MemberRole }),
    output: Type.Object({ member: ShareMember }),
  },
  shareRemove: {
    summary: 'Remove a member from (or cancel an invitation to) a shared folder you own; their devices keep a local copy.',
    input: Type.Object({ path: HomePath, email: Email }),
    output: Empty,
  },
  shareLeave: { summary: 'Leave a shared folder (your devices keep a local copy).', input: Type.Object({ path: HomePath }), output: Empty },
  shareUnshare: {
    summary: 'Stop sharing a folder you own: it stays in your Cairn as a plain folder; members keep local copies.',
    input: Type.Object({ path: HomePath }),
    output: Empty,
  },
  shareAccept: {
    summary: 'Accept an invitation; the folder appears in your Cairn at `path` (default: its name, made unique).',
    input: Type.Object({ id: Id, path: Type.Optional(HomePath) }),
    output: Type.Object({ mount: Mount }),
  },
  shareDecline: { summary: 'Decline an invitation.', input: Type.Object({ id: Id }), output: Empty },
  links: { summary: 'Your live public links, newest first.', input: Empty, output: Type.Object({ links: Type.Array(LinkInfo) }) },
  linkCreate: {
    summary: 'Create a public link to a file or folder in your Cairn, with an optional expiry time and password. The URL is shown in full only now (and in `links` while this engine runs).',
    input: Type.Object({
      path: HomePath,
      expires_at: Type.Optional(TimeMs),
      password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    }),
    output: Type.Object({ link: LinkInfo, url: Type.String() }),
  },
  linkRevoke: {
    summary: 'Revoke a public link, by its id or its URL; it stops working at once.',
    input: Type.Object({ id: Type.String({ minLength: 1, maxLength: 4096 }) }),
    output: Empty,
  },
  waitIdle: {
    summary: 'Wait until in sync: nothing queued, nothing to plan, the latest server cursor seen (after a fresh rescan and pull). `idle` false on timeout.',
    input: Type.Object({ timeout_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })) }),
    output: Type.Object({ idle: Type.Boolean(), status: Status }),
  },
} as const satisfies Record<string, ControlMethodDef>;

export type ControlMethod = keyof typeof controlMethods;
export type ControlInput<M extends ControlMethod> = Static<(typeof controlMethods)[M]['input']>;
export type ControlOutput<M extends ControlMethod> = Static<(typeof controlMethods)[M]['output']>;

/** The control API as a typed async interface (what preload and browser bridge expose). */
export type ControlApi = { [M in ControlMethod]: (input: ControlInput<M>) => Promise<ControlOutput<M>> };

/** Events pushed to the UI. */
export type ControlEvent =
  | { type: 'status'; status: Status }
  | { type: 'activity'; item: ActivityItem };
