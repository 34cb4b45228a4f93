/**
 * Protocol v1 route map — THE source of truth for the HTTP API.
 *
 * The server registers one fastify route per entry (schemas validate every request), the
 * engine's HTTP client is typed from it, and docs/protocol.md is generated from it
 * (`npm run docs:protocol`; a test fails when the doc drifts).
 *
 * Auth: every route with `auth: true` needs `Authorization: Bearer <device token>`.
 * Routes under `/api/v1/ns/:ns/` also need a role in namespace `:ns` of at least `role`.
 * Errors: any route may answer `bad_request`, `unauthorized`, `rate_limited`, `internal`;
 * the `errors` list names the route-specific ones.
 */
import { Type, type Static, type TSchema } from 'typebox';
import type { ErrorCode } from '../errors.ts';
import {
  Account,
  Bytes,
  Change,
  CommitRequest,
  Device,
  Entry,
  ErrorBodySchema,
  Hash,
  Id,
  Invitation,
  Link,
  Mount,
  PathString,
  Rev,
  Revision,
  Share,
  ShareMember,
  TimeMs,
  type Role,
} from './model.ts';
import { MAX_BATCH_COMMITS, MAX_CHECK_HASHES, MAX_COMMIT_BODY_BYTES, MAX_PAGE_LIMIT } from './limits.ts';

/** How a route's request body is encoded. */
export type BodyKind = 'none' | 'json' | 'binary';

/** Definition of one HTTP route of the protocol. */
export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** fastify-style URL; `:name` segments are path params. */
  url: string;
  summary: string;
  auth: boolean;
  /** Minimum role in `:ns` (routes with a `:ns` param only). */
  role?: Role;
  params?: TSchema;
  query?: TSchema;
  bodyKind: BodyKind;
  body?: TSchema;
  /** Body size limit in bytes (default MAX_JSON_BODY_BYTES). */
  bodyLimit?: number;
  /** Success status and schema; `null` response = a byte stream (downloads). */
  status: 200 | 201 | 204 | 206;
  response: TSchema | null;
  errors: ErrorCode[];
}

const NsParams = Type.Object({ ns: Id });
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT }));
const EntryResponse = Type.Object({ entry: Entry });
const Password = Type.String({ minLength: 8, maxLength: 1024 });
const Email = Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s\\p{Cc}\\p{Cs}]+@[^@\\s\\p{Cc}\\p{Cs}]+$' });
/** Shown in activity logs and terminals: no control characters (C0, DEL, C1) and no lone surrogates. */
const DeviceName = Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\p{Cc}\\p{Cs}]+$' });
const AuthBody = Type.Object({ email: Email, password: Password, device_name: DeviceName });
const AuthResponse = Type.Object({
  account_id: Id,
  device_id: Id,
  /** The device token: shown once, stored by the server only as a SHA-256 hash. */
  token: Type.String(),
  home_ns: Id,
});
const PATH_ERRORS: ErrorCode[] = ['path_invalid', 'path_too_long', 'name_too_long'];
const WRITE_ERRORS: ErrorCode[] = [...PATH_ERRORS, 'forbidden', 'path_case_collision', 'parent_not_folder', 'mount_point'];
/** Role given to an invitee (the owner role is never given away). */
const MemberRole = Type.Union([Type.Literal('editor'), Type.Literal('viewer')]);
const LinkPassword = Type.String({ minLength: 1, maxLength: 1024 });

export const routes = {
  // ---- accounts and devices ------------------------------------------------------------
  signup: {
    method: 'POST', url: '/api/v1/auth/signup', auth: false, bodyKind: 'json',
    summary: 'Create an account and link this device. Rate-limited per IP.',
    body: AuthBody, status: 201, response: AuthResponse, errors: ['email_taken', 'rate_limited'],
  },
  login: {
    method: 'POST', url: '/api/v1/auth/login', auth: false, bodyKind: 'json',
    summary: 'Log in and link a new device (a new token). Rate-limited per IP and per email.',
    body: AuthBody, status: 200, response: AuthResponse, errors: ['invalid_credentials', 'rate_limited'],
  },
  logout: {
    method: 'POST', url: '/api/v1/auth/logout', auth: true, bodyKind: 'none',
    summary: "Revoke the calling device's token.", status: 204, response: null, errors: [],
  },
  account: {
    method: 'GET', url: '/api/v1/account', auth: true, bodyKind: 'none',
    summary: 'The account, its quota and usage, and the namespaces it can see.',
    status: 200, response: Account, errors: [],
  },
  listDevices: {
    method: 'GET', url: '/api/v1/devices', auth: true, bodyKind: 'none',
    summary: "The account's linked devices.", status: 200,
    response: Type.Object({ devices: Type.Array(Device) }), errors: [],
  },
  revokeDevice: {
    method: 'DELETE', url: '/api/v1/devices/:id', auth: true, bodyKind: 'none',
    summary: 'Revoke a device of the account (its token stops working at once).',
    params: Type.Object({ id: Id }), status: 204, response: null, errors: ['not_found'],
  },

  // ---- blocks ----------------------------------------------------------------------------
  checkBlocks: {
    method: 'POST', url: '/api/v1/blocks/check', auth: true, bodyKind: 'json',
    summary:
      'Which of these blocks must this account upload? Answers per account (proof of ' +
      'possession): a block stored for another account is still "missing" for this one.',
    body: Type.Object({ hashes: Type.Array(Hash, { maxItems: MAX_CHECK_HASHES }) }),
    status: 200, response: Type.Object({ missing: Type.Array(Hash) }), errors: [],
  },
  putBlock: {
    method: 'PUT', url: '/api/v1/blocks/:hash', auth: true, bodyKind: 'binary',
    summary:
      'Upload one block (application/octet-stream). The server recomputes SHA-256 and ' +
      'stores each block once across all accounts. The answer means "received and verified": ' +
      'the block is made durable afterwards, and a `commit` naming it is answered only once it ' +
      'is. A server crash in between loses it: the commit then answers `block_missing` (and ' +
      '`check` lists it again), and the client uploads it again.',
    params: Type.Object({ hash: Hash }), status: 201,
    response: Type.Object({ hash: Hash, size: Bytes }),
    errors: ['block_hash_mismatch', 'block_too_large', 'unsupported_media_type'],
  },
  getBlock: {
    method: 'GET', url: '/api/v1/blocks/:hash', auth: true, bodyKind: 'none',
    summary:
      'Download one block. Served only to an account that uploaded it or can see a ' +
      'revision that uses it; otherwise `not_found` (never a hint that it exists).',
    params: Type.Object({ hash: Hash }), status: 200, response: null, errors: ['not_found'],
  },

  // ---- files (namespace-scoped) ------------------------------------------------------------
  commit: {
    method: 'POST', url: '/api/v1/ns/:ns/commit', auth: true, role: 'editor', bodyKind: 'json',
    bodyLimit: MAX_COMMIT_BODY_BYTES,
    summary:
      'Commit new content for a file. `parent_rev` must be the current rev (null: the path ' +
      'must be free); else 409 `conflict` with `details.current` = the current entry. ' +
      'Missing parent folders are created. `blocks` may hold at most floor(size / 256 KiB) + 1 ' +
      'hashes (the v1 chunker never cuts a block below 256 KiB but the last): more is ' +
      '`bad_request`. `path_too_long` also when an existing parent\'s casing makes the stored path ' +
      'longer than 4096 bytes.',
    params: NsParams, body: CommitRequest, status: 200, response: EntryResponse,
    errors: [...WRITE_ERRORS, 'conflict', 'block_missing', 'size_mismatch', 'quota_exceeded', 'path_exists'],
  },
  commitBatch: {
    method: 'POST', url: '/api/v1/ns/:ns/commit_batch', auth: true, role: 'editor', bodyKind: 'json',
    bodyLimit: MAX_COMMIT_BODY_BYTES,
    summary:
      'Commit many files in one round trip. Each item succeeds or fails on its own (atomic ' +
      'per item); results are in request order. Each item obeys the block-count rule of `commit`, ' +
      'and all items together carry at most 262,144 block hashes (else `bad_request` for the batch).',
    params: NsParams,
    body: Type.Object({ commits: Type.Array(CommitRequest, { minItems: 1, maxItems: MAX_BATCH_COMMITS }) }),
    status: 200,
    response: Type.Object({
      results: Type.Array(
        Type.Union([
          Type.Object({ ok: Type.Literal(true), entry: Entry }),
          Type.Object({
            ok: Type.Literal(false),
            error: ErrorBodySchema.properties.error,
          }),
        ]),
      ),
    }),
    errors: ['forbidden'],
  },
  mkdir: {
    method: 'POST', url: '/api/v1/ns/:ns/mkdir', auth: true, role: 'editor', bodyKind: 'json',
    summary: 'Create a folder (and missing parents). Idempotent when the folder exists.',
    params: NsParams, body: Type.Object({ path: PathString }), status: 200, response: EntryResponse,
    errors: [...WRITE_ERRORS, 'path_exists'],
  },
  move: {
    method: 'POST', url: '/api/v1/ns/:ns/move', auth: true, role: 'editor', bodyKind: 'json',
    summary:
      'Move or rename a file or a whole folder as one journal operation (case-only renames ' +
      'included). Optional `parent_rev` guards a file move against concurrent edits. ' +
      '`path_too_long` when any path of the moved subtree would pass 4096 bytes (nothing moves). ' +
      'In a home, a mount point (or a folder holding mount points) may move: the shared folder ' +
      'is then seen at the new path (the membership\'s `mount_path` follows); moving anything ' +
      'into or out of a mount point is `mount_point` (upload into the target namespace instead).',
    params: NsParams,
    body: Type.Object({ from: PathString, to: PathString, parent_rev: Type.Optional(Rev) }),
    status: 200, response: EntryResponse,
    errors: [...WRITE_ERRORS, 'not_found', 'path_exists', 'move_into_self', 'conflict'],
  },
  delete: {
    method: 'POST', url: '/api/v1/ns/:ns/delete', auth: true, role: 'editor', bodyKind: 'json',
    summary:
      'Soft-delete a file or a folder with its subtree (one journal operation). Optional ' +
      '`parent_rev` makes a file delete fail with `conflict` if it was edited meanwhile; ' +
      'optional `unchanged_since` (a journal seq of this namespace) makes a folder delete fail ' +
      'with `conflict` (details.current = the folder) if any live entry in its subtree changed ' +
      'after that seq — an edit made elsewhere survives a folder delete.',
    params: NsParams,
    body: Type.Object({ path: PathString, parent_rev: Type.Optional(Rev), unchanged_since: Type.Optional(Type.Integer({ minimum: 0 })) }),
    status: 200, response: EntryResponse, errors: [...PATH_ERRORS, 'forbidden', 'not_found', 'conflict'],
  },
  undelete: {
    method: 'POST', url: '/api/v1/ns/:ns/undelete', auth: true, role: 'editor', bodyKind: 'json',
    summary:
      'Restore a deleted file (its last revision) or folder (with what was deleted with it), ' +
      'within the retention window. `path_too_long` when the live parents\' casing would make a ' +
      'restored path pass 4096 bytes.',
    params: NsParams, body: Type.Object({ path: PathString }), status: 200, response: EntryResponse,
    errors: [...WRITE_ERRORS, 'not_found', 'path_exists', 'quota_exceeded'],
  },
  listDeleted: {
    method: 'GET', url: '/api/v1/ns/:ns/deleted', auth: true, role: 'viewer', bodyKind: 'none',
    summary: 'Deleted entries under a folder (recursive), newest first, paged.',
    params: NsParams,
    query: Type.Object({ path: Type.Optional(PathString), after: Type.Optional(Type.String()), limit: Limit }),
    status: 200, response: Type.Object({ entries: Type.Array(Entry), next: Type.Union([Type.String(), Type.Null()]) }),
    errors: [...PATH_ERRORS, 'forbidden'],
  },
  revisions: {
    method: 'GET', url: '/api/v1/ns/:ns/revisions', auth: true, role: 'viewer', bodyKind: 'none',
    summary: 'Revisions of a file, newest first (within the retention window).',
    params: NsParams, query: Type.Object({ path: PathString, limit: Limit }),
    status: 200, response: Type.Object({ revisions: Type.Array(Revision) }),
    errors: [...PATH_ERRORS, 'forbidden', 'not_found'],
  },
  restore: {
    method: 'POST', url: '/api/v1/ns/:ns/restore', auth: true, role: 'editor', bodyKind: 'json',
    summary: 'Restore a revision: commits a new revision with the old block list.',
    params: NsParams, body: Type.Object({ path: PathString, rev: Rev }), status: 200, response: EntryResponse,
    errors: [...WRITE_ERRORS, 'not_found', 'quota_exceeded'],
  },
  list: {
    method: 'GET', url: '/api/v1/ns/:ns/list', auth: true, role: 'viewer', bodyKind: 'none',
    summary: 'Children of a folder, by name, paged (`after` = the last name of the previous page).',
    params: NsParams,
    query: Type.Object({ path: Type.Optional(PathString), after: Type.Optional(Type.String()), limit: Limit }),
    status: 200, response: Type.Object({ entries: Type.Array(Entry), next: Type.Union([Type.String(), Type.Null()]) }),
    errors: [...PATH_ERRORS, 'forbidden', 'not_found', 'parent_not_folder'],
  },
  snapshot: {
    method: 'GET', url: '/api/v1/ns/:ns/snapshot', auth: true, role: 'viewer', bodyKind: 'none',
    summary:
      'Every live entry of a namespace, sorted by path, paged. `seq` is the journal position ' +
      'the first page reflects: after the last page, read changes from there.',
    params: NsParams, query: Type.Object({ after: Type.Optional(Type.String()), limit: Limit }),
    status: 200,
    response: Type.Object({
      entries: Type.Array(Entry),
      next: Type.Union([Type.String(), Type.Null()]),
      seq: Type.Integer({ minimum: 0 }),
    }),
    errors: ['forbidden'],
  },
  meta: {
    method: 'GET', url: '/api/v1/ns/:ns/meta', auth: true, role: 'viewer', bodyKind: 'none',
    summary: 'Metadata of one entry (deleted entries only with include_deleted).',
    params: NsParams,
    query: Type.Object({ path: PathString, include_deleted: Type.Optional(Type.Boolean()) }),
    status: 200, response: EntryResponse, errors: [...PATH_ERRORS, 'forbidden', 'not_found'],
  },
  download: {
    method: 'GET', url: '/api/v1/ns/:ns/download', auth: true, role: 'viewer', bodyKind: 'none',
    summary:
      'Stream a file (current or a given rev). Honours `Range: bytes=` (206, 416); ETag is ' +
      'the content hash.',
    params: NsParams, query: Type.Object({ path: PathString, rev: Type.Optional(Rev) }),
    status: 200, response: null, errors: [...PATH_ERRORS, 'forbidden', 'not_found', 'range_not_satisfiable'],
  },

  // ---- journal ---------------------------------------------------------------------------
  changes: {
    method: 'GET', url: '/api/v1/changes', auth: true, bodyKind: 'none',
    summary:
      'Changes after `cursor` in every namespace the account sees, in seq order per ' +
      'namespace. No cursor = start from a snapshot: the answer has `reset: true` and the ' +
      'client must snapshot each namespace in `reset_ns`, then continue with `cursor`.',
    query: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 8192 })), limit: Limit }),
    status: 200,
    response: Type.Object({
      changes: Type.Array(Change),
      cursor: Type.String(),
      has_more: Type.Boolean(),
      /** True when the client must re-snapshot the namespaces in `reset_ns`. */
      reset: Type.Boolean(),
      reset_ns: Type.Array(Id),
    }),
    errors: ['cursor_invalid'],
  },
  waitChanges: {
    method: 'GET', url: '/api/v1/changes/wait', auth: true, bodyKind: 'none',
    summary:
      'Long-poll fallback for the WebSocket: answers as soon as any namespace moved past the ' +
      'cursor, or after `timeout_ms` with `changes: false`.',
    query: Type.Object({
      cursor: Type.String({ maxLength: 8192 }),
      timeout_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 120_000 })),
    }),
    status: 200, response: Type.Object({ changes: Type.Boolean() }), errors: ['cursor_invalid'],
  },

  // ---- shared folders --------------------------------------------------------------------
  share: {
    method: 'POST', url: '/api/v1/ns/:ns/share', auth: true, role: 'owner', bodyKind: 'json',
    summary:
      'Invite `email` to a shared folder as editor or viewer. In a home namespace, `path` names ' +
      'a folder: a plain folder first becomes a shared namespace in the same transaction (its ' +
      'subtree moves into the new namespace, mounted back at the same path: one `mount` record ' +
      'in the home journal); a mount point of a namespace the caller owns invites into it. In ' +
      'a shared namespace the caller owns, `path` must be `""`. The invitation stays pending ' +
      'until the invitee accepts or declines. The shared bytes count against the owner\'s quota.',
    params: NsParams, body: Type.Object({ path: PathString, email: Email, role: MemberRole }),
    status: 200, response: Type.Object({ ns: Id, member: ShareMember }),
    errors: [...PATH_ERRORS, 'forbidden', 'not_found', 'not_a_folder', 'share_nested', 'share_contains_shared', 'already_member'],
  },
  shareInfo: {
    method: 'GET', url: '/api/v1/ns/:ns/members', auth: true, role: 'viewer', bodyKind: 'none',
    summary: 'A shared folder: its owner, members and pending invitations, and the caller\'s role and mount path.',
    params: NsParams, status: 200, response: Share, errors: ['forbidden', 'not_shared'],
  },
  setMemberRole: {
    method: 'POST', url: '/api/v1/ns/:ns/members/role', auth: true, role: 'owner', bodyKind: 'json',
    summary:
      'Change the role of a member or of a pending invitation. The member\'s home journal gets ' +
      'a `mount` record with the new role.',
    params: NsParams, body: Type.Object({ email: Email, role: MemberRole }),
    status: 200, response: Type.Object({ member: ShareMember }),
    errors: ['forbidden', 'not_found', 'not_shared', 'owner_cannot_leave'],
  },
  removeMember: {
    method: 'POST', url: '/api/v1/ns/:ns/members/remove', auth: true, role: 'owner', bodyKind: 'json',
    summary:
      'Remove a member (their home journal gets an `unmount` record; their devices keep a local ' +
      'copy) or cancel a pending invitation.',
    params: NsParams, body: Type.Object({ email: Email }), status: 204, response: null,
    errors: ['forbidden', 'not_found', 'not_shared', 'owner_cannot_leave'],
  },
  leaveShare: {
    method: 'POST', url: '/api/v1/ns/:ns/leave', auth: true, role: 'viewer', bodyKind: 'none',
    summary: 'Leave a shared folder (an `unmount` record in the caller\'s home). The owner unshares instead.',
    params: NsParams, status: 204, response: null, errors: ['forbidden', 'not_shared', 'owner_cannot_leave'],
  },
  unshare: {
    method: 'POST', url: '/api/v1/ns/:ns/unshare', auth: true, role: 'owner', bodyKind: 'none',
    summary:
      'Stop sharing: every other member is unmounted, pending invitations are dropped, and the ' +
      'content returns into the owner\'s home at the mount path as plain content (an `unmount` ' +
      'record, then `mkdir`/`put` records with the same entry ids).',
    params: NsParams, status: 204, response: null, errors: ['forbidden', 'not_shared'],
  },
  listShares: {
    method: 'GET', url: '/api/v1/shares', auth: true, bodyKind: 'none',
    summary: 'The shared folders the caller is a member of, and the invitations addressed to its email.',
    status: 200, response: Type.Object({ shares: Type.Array(Share), invitations: Type.Array(Invitation) }), errors: [],
  },
  acceptInvitation: {
    method: 'POST', url: '/api/v1/invitations/:id/accept', auth: true, bodyKind: 'json',
    summary:
      'Accept an invitation addressed to the caller: the shared folder is mounted at `path` in ' +
      'the caller\'s home (default: the folder\'s name, made unique with " (2)", " (3)"…); a ' +
      '`mount` record in the home journal. Unknown or someone else\'s invitation: `not_found`.',
    params: Type.Object({ id: Id }), body: Type.Object({ path: Type.Optional(PathString) }),
    status: 200, response: Type.Object({ mount: Mount }),
    errors: [...PATH_ERRORS, 'not_found', 'path_exists', 'path_case_collision', 'parent_not_folder', 'mount_point', 'already_member'],
  },
  declineInvitation: {
    method: 'POST', url: '/api/v1/invitations/:id/decline', auth: true, bodyKind: 'none',
    summary: 'Decline an invitation addressed to the caller (it is deleted).',
    params: Type.Object({ id: Id }), status: 204, response: null, errors: ['not_found'],
  },

  // ---- public links ----------------------------------------------------------------------
  createLink: {
    method: 'POST', url: '/api/v1/ns/:ns/links', auth: true, role: 'editor', bodyKind: 'json',
    summary:
      'Create a public link to a file or folder (a mount point links the whole shared folder and ' +
      'needs editor there). The token (`cairn_l_` + 256 random bits) is returned once; the ' +
      'server stores its SHA-256 and an scrypt hash of the optional password. Anyone with ' +
      '`url` (`/s/TOKEN`, relative to the server) can download while the link is not revoked ' +
      'or expired and its creator can still edit where the entry lives.',
    params: NsParams,
    body: Type.Object({ path: PathString, expires_at: Type.Optional(TimeMs), password: Type.Optional(LinkPassword) }),
    status: 201, response: Type.Object({ link: Link, token: Type.String(), url: Type.String() }),
    errors: [...PATH_ERRORS, 'forbidden', 'not_found'],
  },
  listLinks: {
    method: 'GET', url: '/api/v1/links', auth: true, bodyKind: 'none',
    summary: 'The live (not revoked) links the caller created, newest first.',
    status: 200, response: Type.Object({ links: Type.Array(Link) }), errors: [],
  },
  revokeLink: {
    method: 'DELETE', url: '/api/v1/links/:id', auth: true, bodyKind: 'none',
    summary:
      'Revoke a link: by its creator or by the owner of the namespace its entry lives in. It ' +
      'answers 410 at once. Otherwise `not_found`.',
    params: Type.Object({ id: Id }), status: 204, response: null, errors: ['not_found'],
  },
} as const satisfies Record<string, RouteDef>;

/** Name of a protocol route, e.g. `"commit"`. */
export type RouteName = keyof typeof routes;

type StaticOr<T, D> = T extends TSchema ? Static<T> : D;
/** Request parts of route `N` as static types: `{ params, query, body }`. */
export type RouteInput<N extends RouteName> = {
  params: StaticOr<(typeof routes)[N] extends { params: infer P } ? P : undefined, undefined>;
  query: StaticOr<(typeof routes)[N] extends { query: infer Q } ? Q : undefined, undefined>;
  body: StaticOr<(typeof routes)[N] extends { body: infer B } ? B : undefined, undefined>;
};
/** Success response of route `N` (`void` for 204, a byte stream for `response: null`). */
export type RouteOutput<N extends RouteName> = (typeof routes)[N]['response'] extends TSchema
  ? Static<(typeof routes)[N]['response']>
  : undefined;

/** Paths outside the API: health, metrics, the WebSocket. */
export const OTHER_ENDPOINTS = {
  healthz: { method: 'GET', url: '/healthz', summary: 'Liveness: `{ ok: true }` once ready.' },
  metrics: { method: 'GET', url: '/metrics', summary: 'Prometheus metrics (text format).' },
  notify: {
    method: 'GET', url: '/api/v1/notify',
    summary:
      'WebSocket (Bearer token in the upgrade request). Server sends `ready` with every ' +
      'namespace seq, then `advance {ns, seq}` whenever a namespace moves; client may send ' +
      '`ping`. Any other client frame closes the socket with 1008 "bad_request". After the ' +
      "account's namespaces change (share, accept, removal…) the socket follows the new set and " +
      'sends `advance` for each newly visible namespace.',
  },
  linkPage: {
    method: 'GET', url: '/s/:token',
    summary:
      'Public link page (HTML, no API token): name, size, modified time; a folder lists its ' +
      'files. Self-contained with a strict Content-Security-Policy. 404 unknown, 410 revoked or ' +
      'expired (`X-Cairn-Error: link_revoked|link_expired`), 401 password form (`link_password`).',
  },
  linkPassword: {
    method: 'POST', url: '/s/:token',
    summary:
      'Password form (`application/x-www-form-urlencoded`, field `password`). Right: 303 to the ' +
      'page with an HttpOnly cookie granting this link for an hour. Wrong: 401 page. Failed ' +
      'guesses are rate-limited per link and per IP (429 page, `rate_limited`).',
  },
  linkDownload: {
    method: 'GET', url: '/s/:token/download',
    summary:
      'The download: a file streamed with Range support (206/416); a folder as a zip stream; ' +
      '`?path=` a file inside a linked folder.',
  },
} as const;

export { TimeMs };
