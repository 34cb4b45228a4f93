/**
 * Shared folders in the SQLite store: turning a home folder into a shared namespace,
 * invitations, membership, roles, leaving and unsharing. Every method runs inside one
 * transaction opened by the caller (store.ts); a thrown CairnError rolls everything back.
 *
 * Model (docs/decisions.md, "Shared folders are namespaces mounted by mount-point entries"):
 * - a shared folder is a namespace owned by the sharing account (its bytes count against that
 *   account's quota: `namespaces.used_bytes` is summed per `owner_account`);
 * - every member, the owner included, has a `namespace_members` row (role, mount_path) and a
 *   **mount point** in their home: a live folder entry with `mount_ns`/`mount_role`, journaled
 *   as `mount` / `unmount` records of the home namespace;
 * - sharing moves the folder's subtree (live and deleted entries, revisions) into the new
 *   namespace keeping entry ids, and journals the live entries there (parents first), so the
 *   new namespace's journal replays to its snapshot; unsharing moves everything back.
 */
import {
  CairnError,
  baseName,
  normalizePath,
  parentPath,
  pathKey,
  type Invitation,
  type Mount,
  type Role,
  type Share,
  type ShareMember,
} from '../../../src-shared/index.ts';
import type { Actor } from '../metadata.ts';
import { newId, subtreeRange } from './rows.ts';
import type { Sql } from './sql.ts';
import { TreeOps } from './tree.ts';

/** Role an invitee can get. */
export type MemberRole = Exclude<Role, 'owner'>;

interface MemberRow {
  account_id: string;
  email: string;
  role: Role;
  mount_path: string;
  home_ns: string;
}

/** Shared-folder operations over one connection; `tree` does the journaled tree writes. */
export class SharingOps {
  readonly #sql: Sql;
  readonly #tree: TreeOps;
  constructor(sql: Sql, tree: TreeOps) {
    this.#sql = sql;
    this.#tree = tree;
  }

  // ---- reads ----------------------------------------------------------------------------

  #account(accountId: string): { email: string; home_ns: string } {
    return this.#sql.get<{ email: string; home_ns: string }>('SELECT email, home_ns FROM accounts WHERE id = ?', accountId)!;
  }

  /** True when `ns` is some account's home (homes are never shared folders). */
  #isHome(ns: string): boolean {
    return this.#sql.get('SELECT 1 FROM accounts WHERE home_ns = ?', ns) !== undefined;
  }

  /** @throws `not_shared` when `ns` is a home namespace (or not a live shared folder). */
  #requireShared(ns: string): void {
    if (this.#isHome(ns) || !this.#sql.get("SELECT 1 FROM namespace_members WHERE ns = ? AND role = 'owner'", ns)) {
      throw new CairnError('not_shared');
    }
  }

  #members(ns: string): MemberRow[] {
    return this.#sql.all<MemberRow>(
      `SELECT m.account_id, a.email, m.role, m.mount_path, a.home_ns FROM namespace_members m
       JOIN accounts a ON a.id = m.account_id WHERE m.ns = ?
       ORDER BY CASE m.role WHEN 'owner' THEN 0 ELSE 1 END, a.email`,
      ns,
    );
  }

  #owner(ns: string): MemberRow {
    return this.#members(ns).find((m) => m.role === 'owner')!;
  }

  /** The shared folder's name: the last component of the owner's mount path. */
  #name(ns: string): string {
    return baseName(this.#owner(ns).mount_path);
  }

  /** See MetadataStore.shareInfo. @throws `not_shared` */
  shareInfo(accountId: string, ns: string): Share {
    this.#requireShared(ns);
    const members = this.#members(ns);
    const me = members.find((m) => m.account_id === accountId);
    if (!me) throw new CairnError('forbidden');
    const invites = this.#sql.all<{ id: string; email: string; role: MemberRole }>(
      'SELECT id, email, role FROM invitations WHERE ns = ? ORDER BY email',
      ns,
    );
    const list: ShareMember[] = [
      ...members.map((m) => ({ account_id: m.account_id, email: m.email, role: m.role, status: 'member' as const, invitation_id: null })),
      ...invites.map((i) => ({ account_id: null, email: i.email, role: i.role, status: 'pending' as const, invitation_id: i.id })),
    ];
    const owner = members.find((m) => m.role === 'owner')!;
    return { ns, name: baseName(owner.mount_path), owner_email: owner.email, role: me.role, mount_path: me.mount_path, members: list };
  }

  /** See MetadataStore.listShares. */
  listShares(accountId: string): { shares: Share[]; invitations: Invitation[] } {
    const a = this.#account(accountId);
    const nss = this.#sql.all<{ ns: string }>(
      'SELECT ns FROM namespace_members WHERE account_id = ? AND ns != ? ORDER BY mount_path, ns',
      accountId,
      a.home_ns,
    );
    const invitations = this.#sql
      .all<{ id: string; ns: string; role: MemberRole; created_at: number }>(
        'SELECT id, ns, role, created_at FROM invitations WHERE email = ? ORDER BY created_at, id',
        a.email,
      )
      .map((i) => ({ ...i, name: this.#name(i.ns), owner_email: this.#owner(i.ns).email }));
    return { shares: nss.map((r) => this.shareInfo(accountId, r.ns)), invitations };
  }

  // ---- sharing and invitations ------------------------------------------------------------

  /** See MetadataStore.share. */
  share(actor: Actor, ns: string, rawPath: string, email: string, role: MemberRole): { ns: string; member: ShareMember } {
    const me = this.#account(actor.accountId);
    let target: string;
    if (ns !== me.home_ns) {
      // A shared namespace the caller owns (the route checked the owner role): invite into it.
      this.#requireShared(ns);
      if (normalizePath(rawPath) !== '') throw new CairnError('share_nested');
      target = ns;
    } else {
      const path = TreeOps.nonRoot(rawPath, 'a shared folder');
      const key = pathKey(path);
      const e = this.#tree.liveByKey(ns, key);
      if (e?.mount_ns) {
        if (this.#owner(e.mount_ns).account_id !== actor.accountId) throw new CairnError('share_nested');
        target = e.mount_ns;
      } else {
        try {
          this.#tree.guardMounts(ns, key);
        } catch {
          throw new CairnError('share_nested');
        }
        if (!e) throw new CairnError('not_found');
        if (e.kind !== 'folder') throw new CairnError('not_a_folder');
        try {
          this.#tree.guardMounts(ns, key, true);
        } catch {
          throw new CairnError('share_contains_shared');
        }
        target = this.#convert(actor, ns, e.id, e.path, e.path_key);
      }
    }
    return { ns: target, member: this.#invite(actor, target, email.toLowerCase(), role) };
  }

  #invite(actor: Actor, ns: string, email: string, role: MemberRole): ShareMember {
    if (this.#members(ns).some((m) => m.email === email) || this.#sql.get('SELECT 1 FROM invitations WHERE ns = ? AND email = ?', ns, email)) {
      throw new CairnError('already_member', undefined, { email });
    }
    const id = newId();
    this.#sql.run(
      'INSERT INTO invitations (id, ns, email, role, inviter_account, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      id,
      ns,
      email,
      role,
      actor.accountId,
      actor.now,
    );
    return { account_id: null, email, role, status: 'pending', invitation_id: id };
  }

  /**
   * Moves the subtree of home folder `folderId` into a new namespace and makes the folder its
   * mount point (one `mount` record in the home journal). Returns the new namespace id.
   */
  #convert(actor: Actor, home: string, folderId: string, folderPath: string, folderKey: string): string {
    const shared = newId();
    this.#sql.run('INSERT INTO namespaces (id, owner_account, created_at) VALUES (?, ?, ?)', shared, actor.accountId, actor.now);
    this.#sql.run(
      "INSERT INTO namespace_members (ns, account_id, role, mount_path) VALUES (?, ?, 'owner', ?)",
      shared,
      actor.accountId,
      folderPath,
    );
    const bytes = this.#moveEntries(home, folderKey, folderPath.length + 1, '', shared, actor);
    this.#sql.run('UPDATE namespaces SET used_bytes = used_bytes - ? WHERE id = ?', bytes, home);
    this.#sql.run('UPDATE namespaces SET used_bytes = used_bytes + ? WHERE id = ?', bytes, shared);
    const seq = this.#tree.nextSeq(home);
    this.#sql.run(
      "UPDATE entries SET mount_ns = ?, mount_role = 'owner', seq = ?, server_time = ?, device_id = ? WHERE id = ?",
      shared,
      seq,
      actor.now,
      actor.deviceId,
      folderId,
    );
    this.#tree.journal(home, seq, 'mount', folderId, actor.now, undefined, { ns: shared, role: 'owner' });
    return shared;
  }

  /**
   * Moves every entry (live and deleted) strictly inside the folder `fromKey` of namespace
   * `from` into namespace `to`: a path loses its first `strip` characters and gains `prefix`.
   * Revisions follow (ns and path). Live entries are journaled in `to` (parents first: key
   * order puts `a` before `a/b`). Returns the live bytes moved.
   */
  #moveEntries(from: string, fromKey: string, strip: number, prefix: string, to: string, actor: Actor): number {
    const [lo, hi] = subtreeRange(fromKey);
    const rows = this.#sql.all<{ id: string; path: string; kind: string; size: number; deleted: number }>(
      'SELECT id, path, kind, size, deleted FROM entries WHERE ns = ? AND path_key >= ? AND path_key < ? ORDER BY deleted, path_key',
      from,
      lo,
      hi,
    );
    let bytes = 0;
    const relocate = (p: string) => prefix + p.slice(strip);
    for (const r of rows) {
      const p = relocate(r.path);
      this.#sql.run(
        'UPDATE entries SET ns = ?, path = ?, path_key = ?, parent_key = ? WHERE id = ?',
        to,
        p,
        pathKey(p),
        pathKey(parentPath(p)),
        r.id,
      );
      for (const rv of this.#sql.all<{ rev: string; path: string }>('SELECT rev, path FROM revisions WHERE entry_id = ?', r.id)) {
        // A revision's path is where the file was then; keep it meaningful in the new namespace.
        const inside = rv.path.slice(0, strip).toLowerCase() === r.path.slice(0, strip).toLowerCase();
        this.#sql.run('UPDATE revisions SET ns = ?, path = ? WHERE rev = ?', to, inside ? relocate(rv.path) : rv.path, rv.rev);
      }
      if (r.deleted === 0) {
        bytes += r.size;
        const seq = this.#tree.nextSeq(to);
        this.#sql.run('UPDATE entries SET seq = ? WHERE id = ?', seq, r.id);
        this.#tree.journal(to, seq, r.kind === 'folder' ? 'mkdir' : 'put', r.id, actor.now);
      }
    }
    return bytes;
  }

  /** See MetadataStore.acceptInvitation. */
  accept(actor: Actor, invitationId: string, rawPath: string | undefined): Mount {
    const me = this.#account(actor.accountId);
    const inv = this.#sql.get<{ ns: string; role: MemberRole }>(
      'SELECT ns, role FROM invitations WHERE id = ? AND email = ?',
      invitationId,
      me.email,
    );
    if (!inv) throw new CairnError('not_found', 'no such invitation');
    if (this.#sql.get('SELECT 1 FROM namespace_members WHERE ns = ? AND account_id = ?', inv.ns, actor.accountId)) {
      throw new CairnError('already_member');
    }
    let path: string;
    if (rawPath !== undefined && normalizePath(rawPath) !== '') {
      path = normalizePath(rawPath);
      this.#tree.guardMounts(me.home_ns, pathKey(path));
      const existing = this.#tree.liveByKey(me.home_ns, pathKey(path));
      if (existing) {
        throw new CairnError(existing.path === path ? 'path_exists' : 'path_case_collision', undefined, { existing: existing.path });
      }
    } else {
      path = this.#uniqueName(me.home_ns, this.#name(inv.ns));
    }
    const e = this.#tree.insertMountPoint(actor, me.home_ns, path, inv.ns, inv.role);
    this.#sql.run(
      'INSERT INTO namespace_members (ns, account_id, role, mount_path) VALUES (?, ?, ?, ?)',
      inv.ns,
      actor.accountId,
      inv.role,
      e.path,
    );
    this.#sql.run('DELETE FROM invitations WHERE id = ?', invitationId);
    return { ns: inv.ns, role: inv.role, mount_path: e.path };
  }

  /** `name`, else `name (2)`, `name (3)`… — the first free one at the home's root. */
  #uniqueName(home: string, name: string): string {
    for (let i = 1; ; i++) {
      const candidate = i === 1 ? name : `${name} (${i})`;
      if (!this.#tree.liveByKey(home, pathKey(candidate))) return candidate;
    }
  }

  /** See MetadataStore.declineInvitation. @throws `not_found` */
  decline(accountId: string, invitationId: string): void {
    const n = this.#sql.run('DELETE FROM invitations WHERE id = ? AND email = ?', invitationId, this.#account(accountId).email);
    if (n === 0) throw new CairnError('not_found', 'no such invitation');
  }

  // ---- membership -------------------------------------------------------------------------

  /** See MetadataStore.setMemberRole. */
  setRole(actor: Actor, ns: string, rawEmail: string, role: MemberRole): ShareMember {
    this.#requireShared(ns);
    const email = rawEmail.toLowerCase();
    const m = this.#members(ns).find((x) => x.email === email);
    if (m) {
      if (m.role === 'owner') throw new CairnError('owner_cannot_leave', "the owner's role cannot change");
      this.#sql.run('UPDATE namespace_members SET role = ? WHERE ns = ? AND account_id = ?', role, ns, m.account_id);
      const mp = this.#mountPoint(m.home_ns, ns);
      if (mp) {
        const seq = this.#tree.nextSeq(m.home_ns);
        this.#sql.run('UPDATE entries SET mount_role = ?, seq = ?, server_time = ? WHERE id = ?', role, seq, actor.now, mp);
        this.#tree.journal(m.home_ns, seq, 'mount', mp, actor.now, undefined, { ns, role });
      }
      return { account_id: m.account_id, email, role, status: 'member', invitation_id: null };
    }
    const inv = this.#sql.get<{ id: string }>('SELECT id FROM invitations WHERE ns = ? AND email = ?', ns, email);
    if (!inv) throw new CairnError('not_found', 'no member or invitation with this email');
    this.#sql.run('UPDATE invitations SET role = ? WHERE id = ?', role, inv.id);
    return { account_id: null, email, role, status: 'pending', invitation_id: inv.id };
  }

  #mountPoint(home: string, ns: string): string | undefined {
    return this.#sql.get<{ id: string }>('SELECT id FROM entries WHERE ns = ? AND mount_ns = ? AND deleted = 0', home, ns)?.id;
  }

  /**
   * Unmounts `ns` from a member's home: the mount point gets an `unmount` record (deleted) and
   * its row is removed (a mount point has no history to keep, and must not be undeletable).
   */
  #unmount(actor: Actor, ns: string, m: MemberRow): void {
    const mp = this.#mountPoint(m.home_ns, ns);
    if (mp) {
      const seq = this.#tree.nextSeq(m.home_ns);
      this.#sql.run(
        'UPDATE entries SET deleted = 1, deleted_at = ?, delete_root = id, seq = ?, server_time = ? WHERE id = ?',
        actor.now,
        seq,
        actor.now,
        mp,
      );
      this.#tree.journal(m.home_ns, seq, 'unmount', mp, actor.now, undefined, { ns, role: m.role });
      this.#sql.run('DELETE FROM entries WHERE id = ?', mp);
    }
    this.#sql.run('DELETE FROM namespace_members WHERE ns = ? AND account_id = ?', ns, m.account_id);
  }

  /** See MetadataStore.removeMember. Returns the removed account (null: an invitation was cancelled). */
  remove(actor: Actor, ns: string, rawEmail: string): string | null {
    this.#requireShared(ns);
    const email = rawEmail.toLowerCase();
    const m = this.#members(ns).find((x) => x.email === email);
    if (m) {
      if (m.role === 'owner') throw new CairnError('owner_cannot_leave');
      this.#unmount(actor, ns, m);
      return m.account_id;
    }
    if (this.#sql.run('DELETE FROM invitations WHERE ns = ? AND email = ?', ns, email) === 0) {
      throw new CairnError('not_found', 'no member or invitation with this email');
    }
    return null;
  }

  /** See MetadataStore.leaveShare. */
  leave(actor: Actor, ns: string): void {
    this.#requireShared(ns);
    const m = this.#members(ns).find((x) => x.account_id === actor.accountId);
    if (!m) throw new CairnError('forbidden');
    if (m.role === 'owner') throw new CairnError('owner_cannot_leave');
    this.#unmount(actor, ns, m);
  }

  /** See MetadataStore.unshare. Returns every account that lost the namespace (owner included). */
  unshare(actor: Actor, ns: string): string[] {
    this.#requireShared(ns);
    const members = this.#members(ns);
    const owner = members.find((m) => m.role === 'owner')!;
    if (owner.account_id !== actor.accountId) throw new CairnError('forbidden');
    for (const m of members) if (m.role !== 'owner') this.#unmount(actor, ns, m);
    this.#sql.run('DELETE FROM invitations WHERE ns = ?', ns);
    const home = owner.home_ns;
    const mp = this.#mountPoint(home, ns)!;
    const mpPath = this.#sql.get<{ path: string }>('SELECT path FROM entries WHERE id = ?', mp)!.path;
    // The mount point becomes a plain folder first (its `unmount` record precedes the content).
    const seq = this.#tree.nextSeq(home);
    this.#sql.run(
      'UPDATE entries SET mount_ns = NULL, mount_role = NULL, seq = ?, server_time = ?, device_id = ? WHERE id = ?',
      seq,
      actor.now,
      actor.deviceId,
      mp,
    );
    this.#tree.journal(home, seq, 'unmount', mp, actor.now, undefined, { ns, role: 'owner' });
    const bytes = this.#moveEntries(ns, '', 0, `${mpPath}/`, home, actor);
    this.#sql.run('UPDATE namespaces SET used_bytes = used_bytes - ? WHERE id = ?', bytes, ns);
    this.#sql.run('UPDATE namespaces SET used_bytes = used_bytes + ? WHERE id = ?', bytes, home);
    this.#sql.run('DELETE FROM namespace_members WHERE ns = ?', ns);
    return members.map((m) => m.account_id);
  }

  /** Accounts with a role in `ns` (to re-subscribe their notify sockets). */
  memberIds(ns: string): string[] {
    return this.#members(ns).map((m) => m.account_id);
  }
}
