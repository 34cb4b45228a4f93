/**
 * The metadata store interface: accounts, devices, namespaces, entries, revisions, block
 * references and the journal. Implementations: SQLite (store/sqlite/, the embedded default).
 * A PostgreSQL implementation plugs in behind the same interface; every method is one
 * transaction, so the port is "same SQL inside BEGIN … COMMIT, `SELECT … FOR UPDATE` on the
 * namespace row", not a redesign (docs/decisions.md).
 *
 * All methods may throw {@link CairnError} with the codes named on each; anything else is a
 * bug (→ `internal`). Times are ms since the epoch, sizes bytes.
 */
import type {
  Account,
  Change,
  CommitRequest,
  Device,
  Entry,
  Invitation,
  Link,
  Mount,
  Revision,
  Role,
  Share,
  ShareMember,
} from '../../src-shared/index.ts';

/** Who performs a write: the account, its device, and the server time of the operation. */
export interface Actor {
  accountId: string;
  deviceId: string | null;
  now: number;
}

/** The caller behind a device token. */
export interface AuthContext {
  accountId: string;
  deviceId: string;
  deviceName: string;
  email: string;
}

/** An account row as the admin CLI sees it. */
export interface AccountSummary {
  account_id: string;
  email: string;
  home_ns: string;
  quota_bytes: number;
  used_bytes: number;
  created_at: number;
  devices: number;
}

/** Result of one item of a batch commit. */
export type BatchResult =
  | { ok: true; entry: Entry }
  | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };

/** One page of entries with the paging token of the next page (null = last page). */
export interface EntryPage {
  entries: Entry[];
  next: string | null;
}

/** Answer of {@link MetadataStore.changes}. */
export interface ChangesPage {
  changes: Change[];
  cursor: string;
  has_more: boolean;
  reset: boolean;
  reset_ns: string[];
}

/** A block of a file with its byte size, in file order (downloads). */
export interface BlockRef {
  hash: string;
  size: number;
}

/** A revision resolved for download. */
export interface DownloadTarget {
  rev: string;
  size: number;
  content_hash: string;
  blocks: BlockRef[];
}

/** Work list of a GC pass (see ops/gc.ts). */
export interface GcReport {
  revisionsPruned: number;
  entriesPurged: number;
  journalRecordsCompacted: number;
  blocksDeleted: string[];
}

/** Reference-count check of `verify` (see ops/verify.ts). */
export interface RefcountReport {
  /** Blocks whose stored refcount differs from the recount. */
  refcountDrift: number;
  /** Of those, how many were corrected (0 unless recount ran with `fix`). */
  refcountFixed: number;
  /** Hashes referenced by some revision but absent from the blocks table. */
  referencedButUnknown: string[];
  /** All known blocks with their sizes and recomputed refcounts. */
  blocks: { hash: string; size: number; refcount: number }[];
}

/** What a public link points at now: a file, a folder, or (`path: ""`) a whole shared namespace. */
export interface LinkTarget {
  ns: string;
  /** Namespace-relative path; `""` = the namespace root (a linked mount point). */
  path: string;
  /** Display name (the entry's name). */
  name: string;
  kind: 'file' | 'folder';
  entry: Entry;
}

/** Result of resolving a link token hash. */
export type ResolvedLink =
  | { status: 'not_found' | 'revoked' | 'expired' }
  | { status: 'ok'; id: string; passwordHash: string | null; target: LinkTarget };

/** The metadata store. Every mutating method is one atomic transaction. */
export interface MetadataStore {
  // ---- accounts and devices -------------------------------------------------------------
  /** Creates an account with its home namespace (role owner) and first device. @throws `email_taken` */
  createAccount(a: {
    email: string;
    passwordHash: string;
    quotaBytes: number;
    device: { name: string; tokenHash: string } | null;
    now: number;
  }): Promise<{ accountId: string; deviceId: string | null; homeNs: string }>;
  /** Looks an account up by (lower-cased) email. */
  findAccountByEmail(email: string): Promise<{ accountId: string; passwordHash: string; homeNs: string } | null>;
  /** Links a new device. */
  addDevice(accountId: string, name: string, tokenHash: string, now: number): Promise<string>;
  /** Resolves a token hash to its live (non-revoked) device; null when unknown or revoked. */
  authenticate(tokenHash: string, now: number): Promise<AuthContext | null>;
  /** The account's live (non-revoked) devices, oldest first; `current` marks `currentDeviceId`. */
  listDevices(accountId: string, currentDeviceId: string): Promise<Device[]>;
  /** Revokes a device of this account. @throws `not_found` (unknown, other account's, or already revoked) */
  revokeDevice(accountId: string, deviceId: string, now: number): Promise<void>;
  /** The account with its quota and usage (bytes) and the namespaces it sees. @throws `not_found` */
  account(accountId: string): Promise<Account>;
  /** Every account, by email (admin CLI). */
  listAccounts(): Promise<AccountSummary[]>;
  /** @throws `not_found` */
  setQuota(email: string, bytes: number): Promise<void>;
  /** The namespaces the account has a role in. */
  mounts(accountId: string): Promise<Mount[]>;
  /** The account's role in `ns`, or null (also for namespaces that do not exist). */
  role(accountId: string, ns: string): Promise<Role | null>;

  // ---- blocks ---------------------------------------------------------------------------
  /** Hashes (of `hashes`, order kept, duplicates dropped) this account has not uploaded. */
  missingBlocks(accountId: string, hashes: string[]): Promise<string[]>;
  /** Records a stored block (idempotent) and that `accountId` possesses it. */
  recordBlock(accountId: string, hash: string, size: number, now: number): Promise<void>;
  /** True when the block is recorded (its bytes are durable in the block store). */
  blockKnown(hash: string): Promise<boolean>;
  /** Size of the block when the account may read it (owns it, or sees a revision using it); else null. */
  readableBlock(accountId: string, hash: string): Promise<number | null>;

  // ---- files ----------------------------------------------------------------------------
  /** @throws path errors, `conflict`, `block_missing`, `size_mismatch`, `quota_exceeded`, `path_exists`, `path_case_collision`, `parent_not_folder` */
  commit(actor: Actor, ns: string, req: CommitRequest): Promise<Entry>;
  /**
   * Commits each request on its own (one savepoint each, one transaction and fsync for all);
   * results in request order, refusals as `{ ok: false, error }` with commit's codes.
   * @throws `bad_request` when the items together carry more than MAX_BLOCKS_PER_COMMIT blocks
   */
  commitBatch(actor: Actor, ns: string, reqs: CommitRequest[]): Promise<BatchResult[]>;
  /** @throws path errors, `path_exists`, `path_case_collision`, `parent_not_folder` */
  mkdir(actor: Actor, ns: string, path: string): Promise<Entry>;
  /** @throws path errors, `not_found`, `path_exists`, `path_case_collision`, `move_into_self`, `conflict`, `parent_not_folder` */
  move(actor: Actor, ns: string, from: string, to: string, parentRev?: string): Promise<Entry>;
  /**
   * Soft-deletes `path` (a folder with its subtree). `parentRev`: a file must still be at that
   * rev; `unchangedSince`: no live entry in a folder's subtree may have changed after that
   * journal seq.
   * @throws path errors, `not_found`, `conflict` (details.current)
   */
  delete(actor: Actor, ns: string, path: string, parentRev?: string, unchangedSince?: number): Promise<Entry>;
  /** @throws path errors, `not_found`, `path_exists`, `path_case_collision`, `parent_not_folder`, `quota_exceeded` */
  undelete(actor: Actor, ns: string, path: string): Promise<Entry>;
  /** @throws path errors, `not_found`, `quota_exceeded` */
  restore(actor: Actor, ns: string, path: string, rev: string): Promise<Entry>;
  /**
   * Live children of folder `path` (`""` = root) by name, at most `limit`. Paging token
   * `after` = the last name of the previous page (exclusive).
   * @throws path errors, `not_found`, `parent_not_folder`
   */
  list(ns: string, path: string, after: string | undefined, limit: number): Promise<EntryPage>;
  /**
   * Deleted entries under `path` (recursive; `""` = all), newest deletion first, at most
   * `limit`. Paging token `after` = `"<deleted_at ms>.<entry id>"` of the previous page's last
   * entry. @throws path errors, `bad_request` (malformed token)
   */
  listDeleted(ns: string, path: string, after: string | undefined, limit: number): Promise<EntryPage>;
  /**
   * Live entries of the namespace by exact path (byte order), at most `limit`, with the
   * namespace's seq read in the same transaction (the cursor position the page is valid at).
   * Paging token `after` = the last path of the previous page (exclusive).
   */
  snapshot(ns: string, after: string | undefined, limit: number): Promise<EntryPage & { seq: number }>;
  /** @throws `not_found` */
  meta(ns: string, path: string, includeDeleted: boolean): Promise<Entry>;
  /** @throws `not_found` */
  revisions(ns: string, path: string, limit: number): Promise<Revision[]>;
  /** @throws `not_found` */
  downloadTarget(ns: string, path: string, rev: string | undefined): Promise<DownloadTarget>;

  // ---- journal --------------------------------------------------------------------------
  /** @throws `cursor_invalid` */
  changes(accountId: string, cursor: string | undefined, limit: number): Promise<ChangesPage>;
  /** Current seq of each namespace the account sees. */
  seqs(accountId: string): Promise<Record<string, number>>;

  // ---- shared folders (see store/sqlite/sharing.ts for the model) ---------------------------
  /**
   * Invites `email` into a shared folder, first turning home folder `path` into a shared
   * namespace when it is a plain folder (one transaction).
   * @throws path errors, `not_found`, `not_a_folder`, `share_nested`, `share_contains_shared`, `already_member`, `not_shared`
   */
  share(actor: Actor, ns: string, path: string, email: string, role: 'editor' | 'viewer'): Promise<{ ns: string; member: ShareMember }>;
  /** @throws `not_shared`, `forbidden` */
  shareInfo(accountId: string, ns: string): Promise<Share>;
  listShares(accountId: string): Promise<{ shares: Share[]; invitations: Invitation[] }>;
  /** Mounts the invitation's namespace in the caller's home. @throws `not_found`, path errors, `path_exists`, `path_case_collision`, `parent_not_folder`, `mount_point`, `already_member` */
  acceptInvitation(actor: Actor, invitationId: string, path: string | undefined): Promise<Mount>;
  /** @throws `not_found` */
  declineInvitation(accountId: string, invitationId: string): Promise<void>;
  /** @throws `not_shared`, `not_found`, `owner_cannot_leave` */
  setMemberRole(actor: Actor, ns: string, email: string, role: 'editor' | 'viewer'): Promise<ShareMember>;
  /** Removes a member (returns its account id) or cancels an invitation (null). @throws `not_shared`, `not_found`, `owner_cannot_leave` */
  removeMember(actor: Actor, ns: string, email: string): Promise<string | null>;
  /** @throws `not_shared`, `owner_cannot_leave` */
  leaveShare(actor: Actor, ns: string): Promise<void>;
  /** Returns the accounts that lost the namespace. @throws `not_shared` */
  unshare(actor: Actor, ns: string): Promise<string[]>;

  // ---- public links ---------------------------------------------------------------------
  /** @throws path errors, `not_found`, `forbidden` (mount point without edit rights), `bad_request` (expiry in the past) */
  createLink(
    actor: Actor,
    ns: string,
    path: string,
    link: { id: string; tokenHash: string; expiresAt: number | null; passwordHash: string | null },
  ): Promise<Link>;
  listLinks(accountId: string, now: number): Promise<Link[]>;
  /** @throws `not_found` */
  revokeLink(accountId: string, id: string, now: number): Promise<void>;
  resolveLink(tokenHash: string, now: number): Promise<ResolvedLink>;
  /** Live entries strictly inside folder `path` of `ns` (`""` = all), sorted by path, at most `limit`. */
  linkFiles(ns: string, path: string, limit: number): Promise<Entry[]>;

  // ---- maintenance ----------------------------------------------------------------------
  /** Prunes history past `retentionMs`, compacts the journal, and deletes the metadata of unreferenced blocks older than `graceMs` (returns their hashes: the caller deletes the bytes). */
  gc(now: number, retentionMs: number, graceMs: number): Promise<GcReport>;
  /**
   * Recounts block references and lists every known block with its recounted refcount.
   * Read-only (safe while a server runs) unless `fix`, which writes the recounted values
   * (offline only: `verify --fix` holds the data-dir lock).
   */
  recount(fix?: boolean): Promise<RefcountReport>;
  /** Database self-check (SQLite: integrity_check + foreign_key_check); empty = healthy. */
  integrity(): Promise<string[]>;
  close(): Promise<void>;
}
