/**
 * Wire data model of protocol v1 (TypeBox schemas → JSON Schema + static types).
 *
 * Conventions: ids and revs are opaque strings; times are integer milliseconds since the
 * Unix epoch (UTC); sizes are integer bytes; paths are namespace-relative (see paths.ts).
 */
import { Type, type Static } from 'typebox';
import { MAX_BLOCKS_PER_COMMIT } from './limits.ts';

/** Opaque identifier (account, device, namespace, entry, share). */
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
/** Opaque revision id. */
export const Rev = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
/** Lowercase hex SHA-256. */
export const Hash = Type.String({ pattern: '^[0-9a-f]{64}$' });
/** A path as sent by a client; fully validated by paths.normalizePath (for precise codes). */
export const PathString = Type.String({ maxLength: 16384 });
/** Integer milliseconds since the Unix epoch. */
export const TimeMs = Type.Integer({ minimum: 0, maximum: 8.64e15 });
/** Integer byte count. */
export const Bytes = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
/** Role of an account in a namespace. */
export const Role = Type.Union([Type.Literal('owner'), Type.Literal('editor'), Type.Literal('viewer')]);
export type Role = Static<typeof Role>;

/**
 * An entry (file or folder) as the server knows it now. Folders have `rev: null`,
 * `content_hash: null`, `blocks: []` and `size: 0`.
 */
export const Entry = Type.Object({
  ns: Id,
  /** Stable id: survives moves and renames; a new id after delete + re-create. */
  id: Id,
  path: Type.String(),
  kind: Type.Union([Type.Literal('file'), Type.Literal('folder')]),
  rev: Type.Union([Rev, Type.Null()]),
  size: Bytes,
  mtime: TimeMs,
  content_hash: Type.Union([Hash, Type.Null()]),
  blocks: Type.Array(Hash),
  executable: Type.Boolean(),
  deleted: Type.Boolean(),
  /** False when the name cannot exist on some OS (e.g. Windows `aux.txt`); see paths.ts. */
  portable: Type.Boolean(),
  /** Journal seq of the last change to this entry. */
  seq: Type.Integer({ minimum: 0 }),
  server_time: TimeMs,
  /** Device that authored the last change (null for server-side operations). */
  device_id: Type.Union([Id, Type.Null()]),
  device_name: Type.Union([Type.String(), Type.Null()]),
  /**
   * Set on a **mount point**: a folder of a home namespace where a shared namespace `ns` is
   * mounted, with the home owner's `role` in it. Its content lives in `ns` (list, snapshot and
   * write there); writes in the home at or under a mount point are `mount_point`, except
   * moving the mount point itself (or a folder holding it) within the home: that only changes
   * where this account sees the shared folder.
   */
  mount: Type.Optional(Type.Object({ ns: Id, role: Role })),
});
export type Entry = Static<typeof Entry>;

/** One immutable file version. */
export const Revision = Type.Object({
  rev: Rev,
  path: Type.String(),
  size: Bytes,
  mtime: TimeMs,
  content_hash: Hash,
  blocks: Type.Array(Hash),
  executable: Type.Boolean(),
  server_time: TimeMs,
  device_id: Type.Union([Id, Type.Null()]),
  device_name: Type.Union([Type.String(), Type.Null()]),
  /** True for the revision the entry currently points at. */
  current: Type.Boolean(),
});
export type Revision = Static<typeof Revision>;

/**
 * One journal record. `entry` is the entry's state right after the change. For `move`,
 * `from` is the old path and `entry.path` the new one (a folder move moves its subtree);
 * for `delete` of a folder, the subtree is deleted with it.
 *
 * `mount` and `unmount` appear only in home namespaces and carry `mount` = the shared
 * namespace and the home owner's role in it:
 * - `mount`: `entry` (a folder, `entry.mount` set) is now a mount point of `mount.ns`. Its
 *   content is in `mount.ns` from now on: the client snapshots `mount.ns` (it also appears in
 *   the next `changes` answer's `reset_ns`). When the owner shares an existing folder, its
 *   subtree moved into `mount.ns` with the same entry ids, contents and revs — the files did
 *   not change, so a client must re-home them, never delete and re-download them. A second
 *   `mount` record for the same mount point is a role change.
 * - `unmount`: the home no longer mounts `mount.ns`. `entry.deleted` true: the account lost
 *   access (left, removed, or the owner unshared) — its devices keep their local copy and stop
 *   syncing it. `entry.deleted` false (the owner's unshare): the folder is a plain folder again
 *   and the following `mkdir`/`put` records bring its content back into the home (same ids).
 */
export const Change = Type.Object({
  ns: Id,
  seq: Type.Integer({ minimum: 1 }),
  op: Type.Union([
    Type.Literal('put'),
    Type.Literal('mkdir'),
    Type.Literal('delete'),
    Type.Literal('move'),
    Type.Literal('mount'),
    Type.Literal('unmount'),
  ]),
  from: Type.Optional(Type.String()),
  /** `mount`/`unmount` records only: the shared namespace and the role in it. */
  mount: Type.Optional(Type.Object({ ns: Id, role: Role })),
  entry: Entry,
});
export type Change = Static<typeof Change>;

/** A file commit: new content at `path`, based on `parent_rev` (null = must not exist). */
export const CommitRequest = Type.Object({
  path: PathString,
  parent_rev: Type.Union([Rev, Type.Null()]),
  blocks: Type.Array(Hash, { maxItems: MAX_BLOCKS_PER_COMMIT }),
  size: Bytes,
  mtime: TimeMs,
  executable: Type.Optional(Type.Boolean()),
});
export type CommitRequest = Static<typeof CommitRequest>;

/** Wire error body (see errors.ts). */
export const ErrorBodySchema = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});

export const Device = Type.Object({
  id: Id,
  name: Type.String(),
  created_at: TimeMs,
  last_seen_at: Type.Union([TimeMs, Type.Null()]),
  current: Type.Boolean(),
});
export type Device = Static<typeof Device>;

/** A namespace visible to an account and where it is mounted in the account's home. */
export const Mount = Type.Object({
  ns: Id,
  role: Role,
  /** Path in the home namespace; `""` for the home namespace itself. */
  mount_path: Type.String(),
});
export type Mount = Static<typeof Mount>;

export const Account = Type.Object({
  account_id: Id,
  email: Type.String(),
  home_ns: Id,
  quota_bytes: Bytes,
  used_bytes: Bytes,
  namespaces: Type.Array(Mount),
});
export type Account = Static<typeof Account>;

/** WebSocket messages, server → client. */
export const NotifyMessage = Type.Union([
  Type.Object({ type: Type.Literal('ready'), namespaces: Type.Record(Type.String(), Type.Integer()) }),
  Type.Object({ type: Type.Literal('advance'), ns: Id, seq: Type.Integer({ minimum: 0 }) }),
  Type.Object({ type: Type.Literal('pong') }),
]);
export type NotifyMessage = Static<typeof NotifyMessage>;
/** WebSocket messages, client → server. Anything else closes the socket (1008, `bad_request`). */
export const NotifyClientMessage = Type.Object({ type: Type.Literal('ping') });

/** A member of a shared folder, or a pending invitation (`status: 'pending'`). */
export const ShareMember = Type.Object({
  /** Null for a pending invitation (the invitee may not have an account yet). */
  account_id: Type.Union([Id, Type.Null()]),
  email: Type.String(),
  role: Role,
  status: Type.Union([Type.Literal('member'), Type.Literal('pending')]),
  /** Id of the pending invitation (pending only). */
  invitation_id: Type.Union([Id, Type.Null()]),
});
export type ShareMember = Static<typeof ShareMember>;

/** A shared folder as one of its members sees it. */
export const Share = Type.Object({
  ns: Id,
  /** The folder's name (the last component of the owner's mount path). */
  name: Type.String(),
  owner_email: Type.String(),
  /** The caller's role and where the caller has it mounted. */
  role: Role,
  mount_path: Type.String(),
  /** Members (owner first) then pending invitations. */
  members: Type.Array(ShareMember),
});
export type Share = Static<typeof Share>;

/** An invitation addressed to the caller (by email), pending until accepted or declined. */
export const Invitation = Type.Object({
  id: Id,
  ns: Id,
  name: Type.String(),
  owner_email: Type.String(),
  role: Role,
  created_at: TimeMs,
});
export type Invitation = Static<typeof Invitation>;

/**
 * A public link (the token itself is shown only once, at creation). `id` is the first 16
 * base64url characters of SHA-256(token), so a client holding the URL can name the link.
 */
export const Link = Type.Object({
  id: Id,
  /** Where the linked entry is now (it follows moves); null when it was deleted. */
  ns: Type.Union([Id, Type.Null()]),
  path: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Union([Type.Literal('file'), Type.Literal('folder'), Type.Null()]),
  created_at: TimeMs,
  expires_at: Type.Union([TimeMs, Type.Null()]),
  has_password: Type.Boolean(),
  /** True once `expires_at` has passed (the link then answers 410). */
  expired: Type.Boolean(),
});
export type Link = Static<typeof Link>;
