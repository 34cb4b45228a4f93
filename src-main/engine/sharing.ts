/**
 * Shared folders and public links from a device's point of view (issue 6): one
 * implementation behind the control API's sharing methods (the UI) and `cairn share|link`
 * (the CLI, straight against the server when the engine is stopped). Paths are paths in the
 * account's home as the synced folder shows them (`Team/plan.txt`); a path inside a mounted
 * shared folder is resolved to that namespace through `account.namespaces`.
 *
 * Each method takes and returns the shapes of its control method (src-shared/control.ts),
 * so a {@link Sharing} is that part of the ControlApi. Errors are the server's CairnErrors
 * (`share_nested`, `already_member`, `forbidden`, …) plus `not_shared` for a path that is not
 * a shared folder.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CairnError } from '../../src-shared/errors.ts';
import type { ControlApi, ControlInput, ControlOutput, LinkInfo } from '../../src-shared/control.ts';
import type { Account, Link } from '../../src-shared/protocol/model.ts';
import type { RemoteClient } from './remote/client.ts';

/** The control methods a {@link Sharing} implements. */
export type SharingMethod =
  | 'shares'
  | 'shareAdd'
  | 'shareSetRole'
  | 'shareRemove'
  | 'shareLeave'
  | 'shareUnshare'
  | 'shareAccept'
  | 'shareDecline'
  | 'links'
  | 'linkCreate'
  | 'linkRevoke';

/** The sharing part of the control API. */
export type SharingApi = Pick<ControlApi, SharingMethod>;

/** A home path resolved to the namespace holding it. */
export interface Resolved {
  ns: string;
  /** Path inside `ns` (`""` = the namespace root, i.e. the path is a mount point). */
  rel: string;
  /** True when the path is exactly a mount point of a shared folder. */
  mountPoint: boolean;
}

/** The link id of a link URL or token (first 16 base64url chars of SHA-256(token)); an id passes through. */
export function linkIdOf(urlOrId: string): string {
  const m = /(cairn_l_[A-Za-z0-9_-]{43})/u.exec(urlOrId);
  if (!m) return urlOrId;
  return createHash('sha256').update(m[1]!).digest('base64url').slice(0, 16);
}

/**
 * A home path from user text: `/`-separated, no leading `./` or trailing `/`; an absolute
 * local path inside `root` (the synced folder) becomes relative to it.
 */
export function homePath(arg: string, root: string | null): string {
  if (root && path.isAbsolute(arg)) {
    const rel = path.relative(root, arg);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return arg.replace(/\\/gu, '/').replace(/^(\.\/)+/u, '').replace(/\/+$/u, '');
}

/** Resolves a home path through the account's mounts (longest mount path first, case-insensitive). */
export function resolveMount(acct: Account, p: string): Resolved {
  const key = p.normalize('NFC').toLowerCase();
  const mounts = acct.namespaces.filter((m) => m.mount_path !== '').sort((a, b) => b.mount_path.length - a.mount_path.length);
  for (const m of mounts) {
    const mk = m.mount_path.normalize('NFC').toLowerCase();
    if (key === mk) return { ns: m.ns, rel: '', mountPoint: true };
    if (key.startsWith(`${mk}/`)) return { ns: m.ns, rel: p.slice(m.mount_path.length + 1), mountPoint: false };
  }
  return { ns: acct.home_ns, rel: p, mountPoint: false };
}

/** Where a link's entry is in the account's home, or null when deleted or not mounted here. */
export function linkHomePath(acct: Account, l: Link): string | null {
  if (l.path === null || l.ns === null) return null;
  if (l.ns === acct.home_ns) return l.path;
  const m = acct.namespaces.find((x) => x.ns === l.ns);
  if (!m) return null;
  return l.path === '' ? m.mount_path : `${m.mount_path}/${l.path}`;
}

/** Options of {@link Sharing}. */
export interface SharingOptions {
  /** The device's server client (called for each operation: it may change at login/logout). */
  client(): RemoteClient;
  /** The synced folder, when known: absolute local paths inside it are taken as home paths. */
  root?(): string | null;
}

/**
 * Sharing operations of one device. Remembers the full URL of each link it created (the
 * server keeps only a hash of the token) for as long as it lives, in memory only, so the
 * links list can offer "copy" for them without the token ever being written to disk.
 */
export class Sharing implements SharingApi {
  private readonly opts: SharingOptions;
  /** Link id → full URL, for links this object created. */
  private readonly urls = new Map<string, string>();

  constructor(opts: SharingOptions) {
    this.opts = opts;
  }

  private c(): RemoteClient {
    return this.opts.client();
  }

  private home(p: string): string {
    return homePath(p, this.opts.root?.() ?? null);
  }

  /** The namespace of the shared folder mounted at `p`. @throws CairnError `not_shared` */
  private async mountNs(p: string): Promise<string> {
    const hp = this.home(p);
    const r = resolveMount(await this.c().call('account'), hp);
    if (!r.mountPoint) throw new CairnError('not_shared', `${hp} is not a shared folder`);
    return r.ns;
  }

  private info(acct: Account, l: Link): LinkInfo {
    return { ...l, home_path: linkHomePath(acct, l), url: this.urls.get(l.id) ?? null };
  }

  async shares(): Promise<ControlOutput<'shares'>> {
    return this.c().call('listShares');
  }

  async shareAdd(i: ControlInput<'shareAdd'>): Promise<ControlOutput<'shareAdd'>> {
    const c = this.c();
    const acct = await c.call('account');
    const hp = this.home(i.path);
    const r = resolveMount(acct, hp);
    // A mount point (a folder already shared) is invited into from the home, like a plain
    // folder; deeper inside a shared folder the server refuses (share_nested) with its reason.
    return r.ns === acct.home_ns || r.mountPoint
      ? c.call('share', { params: { ns: acct.home_ns }, body: { path: hp, email: i.email, role: i.role } })
      : c.call('share', { params: { ns: r.ns }, body: { path: r.rel, email: i.email, role: i.role } });
  }

  async shareSetRole(i: ControlInput<'shareSetRole'>): Promise<ControlOutput<'shareSetRole'>> {
    const ns = await this.mountNs(i.path);
    return this.c().call('setMemberRole', { params: { ns }, body: { email: i.email, role: i.role } });
  }

  async shareRemove(i: ControlInput<'shareRemove'>): Promise<ControlOutput<'shareRemove'>> {
    const ns = await this.mountNs(i.path);
    await this.c().call('removeMember', { params: { ns }, body: { email: i.email } });
    return {};
  }

  async shareLeave(i: ControlInput<'shareLeave'>): Promise<ControlOutput<'shareLeave'>> {
    const ns = await this.mountNs(i.path);
    await this.c().call('leaveShare', { params: { ns } });
    return {};
  }

  async shareUnshare(i: ControlInput<'shareUnshare'>): Promise<ControlOutput<'shareUnshare'>> {
    const ns = await this.mountNs(i.path);
    await this.c().call('unshare', { params: { ns } });
    return {};
  }

  async shareAccept(i: ControlInput<'shareAccept'>): Promise<ControlOutput<'shareAccept'>> {
    const body = i.path === undefined ? {} : { path: this.home(i.path) };
    return this.c().call('acceptInvitation', { params: { id: i.id }, body });
  }

  async shareDecline(i: ControlInput<'shareDecline'>): Promise<ControlOutput<'shareDecline'>> {
    await this.c().call('declineInvitation', { params: { id: i.id } });
    return {};
  }

  async links(): Promise<ControlOutput<'links'>> {
    const c = this.c();
    const [acct, r] = await Promise.all([c.call('account'), c.call('listLinks')]);
    const live = new Set(r.links.map((l) => l.id));
    for (const id of this.urls.keys()) if (!live.has(id)) this.urls.delete(id);
    return { links: r.links.map((l) => this.info(acct, l)) };
  }

  /** @throws CairnError `bad_request` for an expiry in the past; the server's codes otherwise */
  async linkCreate(i: ControlInput<'linkCreate'>): Promise<ControlOutput<'linkCreate'>> {
    if (i.expires_at !== undefined && i.expires_at <= Date.now()) throw new CairnError('bad_request', 'the expiry time is in the past');
    const c = this.c();
    const acct = await c.call('account');
    const hp = this.home(i.path);
    const r = resolveMount(acct, hp);
    // A mount point links the whole shared folder: it is named from the home.
    const [ns, rel] = r.mountPoint ? [acct.home_ns, hp] : [r.ns, r.rel];
    const res = await c.call('createLink', {
      params: { ns },
      body: {
        path: rel,
        ...(i.expires_at !== undefined ? { expires_at: i.expires_at } : {}),
        ...(i.password !== undefined ? { password: i.password } : {}),
      },
    });
    const url = `${c.server}${res.url}`;
    this.urls.set(res.link.id, url);
    return { link: this.info(acct, res.link), url };
  }

  async linkRevoke(i: ControlInput<'linkRevoke'>): Promise<ControlOutput<'linkRevoke'>> {
    const id = linkIdOf(i.id);
    await this.c().call('revokeLink', { params: { id } });
    this.urls.delete(id);
    return {};
  }
}
