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
 */
export const Change = Type.Object({
  ns: Id,
  seq: Type.Integer({ minimum: 1 }),
  op: Type.Union([Type.Literal('put'), Type.Literal('mkdir'), Type.Literal('delete'), Type.Literal('move')]),
  from: Type.Optional(Type.String()),
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
