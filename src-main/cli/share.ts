/**
 * `cairn share …` and `cairn link …` (issue 6): shared folders and public links, straight
 * against the server over HTTP with this device's token (`<home>/device.json`), so they work
 * whether or not the engine is running. Wire it in main.ts's program():
 *
 *   registerShareCommands(prog, { home, out, readStdin });
 *
 * PATH arguments are paths in the account's home as the synced folder shows them
 * (`Team/plan.txt`); an absolute local path inside `ctx.syncRoot()` is made relative. A path
 * inside a mounted shared folder is resolved to that namespace through `account.namespaces`.
 *
 * May import: engine (account, remote client), src-shared, commander.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { CairnError } from '../../src-shared/errors.ts';
import type { Account, Link, Share } from '../../src-shared/protocol/model.ts';
import type { RemoteClient } from '../engine/remote/client.ts';

/** What the share commands need from the CLI. */
export interface ShareCommandsContext {
  /** The device home folder (holds device.json). */
  home(): string;
  /** Prints one line on stdout. */
  out(line: string): void;
  /** All of stdin without its final newline (passwords). */
  readStdin(): Promise<string>;
  /** The synced folder, when known: absolute local paths inside it become home paths. */
  syncRoot?(): string | null;
}

/** A path of the home resolved to the namespace holding it. */
interface Resolved {
  ns: string;
  /** Path inside `ns` (`""` = the namespace root, i.e. PATH is a mount point). */
  rel: string;
  /** True when PATH is exactly a mount point of a shared folder. */
  mountPoint: boolean;
}

/** Duration `30s`, `15m`, `12h`, `7d`, `2w` → ms. @throws CairnError `usage` */
export function parseDuration(s: string): number {
  const m = /^(\d+)\s*(s|m|h|d|w)$/u.exec(s.trim());
  if (!m) throw new CairnError('usage', `bad duration "${s}": use e.g. 30m, 12h, 7d, 2w`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

/** The link id of a link URL or token (first 16 base64url chars of SHA-256(token)); an id passes through. */
export function linkIdOf(urlOrId: string): string {
  const m = /(cairn_l_[A-Za-z0-9_-]{43})/u.exec(urlOrId);
  if (!m) return urlOrId;
  return createHash('sha256').update(m[1]!).digest('base64url').slice(0, 16);
}

/** A home path from a CLI argument: `/`-separated, no leading `./` or trailing `/`. */
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

async function withClient<T>(ctx: ShareCommandsContext, fn: (c: RemoteClient, server: string) => Promise<T>): Promise<T> {
  const { readCredentials } = await import('../engine/account.ts');
  const { RemoteClient } = await import('../engine/remote/client.ts');
  const creds = readCredentials(ctx.home());
  if (!creds) throw new CairnError('not_logged_in');
  const client = new RemoteClient({ server: creds.server, token: creds.token });
  try {
    return await fn(client, client.server);
  } finally {
    await client.close();
  }
}

function root(ctx: ShareCommandsContext): string | null {
  return ctx.syncRoot?.() ?? null;
}

/** Where a link's entry is, as a home path. */
function linkHomePath(acct: Account, l: Link): string {
  if (l.path === null || l.ns === null) return '(deleted)';
  if (l.ns === acct.home_ns) return l.path;
  const m = acct.namespaces.find((x) => x.ns === l.ns);
  if (!m) return `(shared folder ${l.ns})/${l.path}`;
  return l.path === '' ? m.mount_path : `${m.mount_path}/${l.path}`;
}

function describeShare(s: Share): string[] {
  const lines = [`${s.mount_path}  (${s.role}; "${s.name}" owned by ${s.owner_email}; ns ${s.ns})`];
  for (const m of s.members) lines.push(`  ${m.email}  ${m.role}${m.status === 'pending' ? '  (invited)' : ''}`);
  return lines;
}

async function mountOf(c: RemoteClient, ctx: ShareCommandsContext, arg: string): Promise<string> {
  const acct = await c.call('account');
  const r = resolveMount(acct, homePath(arg, root(ctx)));
  if (!r.mountPoint) throw new CairnError('usage', `${arg} is not a shared folder (see cairn share list)`);
  return r.ns;
}

/**
 * Registers `share add|list|accept|decline|remove|role|leave|unshare` and
 * `link create|list|revoke` on `program`. Errors are CairnErrors with the server's stable
 * codes (`share_nested`, `already_member`, `forbidden`, …); main() prints and maps them.
 */
export function registerShareCommands(program: Command, ctx: ShareCommandsContext): void {
  const share = program.command('share').description('shared folders');

  share
    .command('add')
    .description('share a folder of your Cairn with another account (by email)')
    .argument('<path>', 'folder in your Cairn')
    .requiredOption('--email <email>', "the invitee's email")
    .option('--role <role>', 'editor or viewer', 'editor')
    .action(async (p: string, o: { email: string; role: string }) => {
      if (o.role !== 'editor' && o.role !== 'viewer') throw new CairnError('usage', '--role must be editor or viewer');
      const role = o.role;
      await withClient(ctx, async (c) => {
        const acct = await c.call('account');
        const hp = homePath(p, root(ctx));
        const r = resolveMount(acct, hp);
        // Inside a shared folder the owner invites from the namespace root; the server refuses deeper paths.
        const res = r.ns === acct.home_ns || r.mountPoint
          ? await c.call('share', { params: { ns: acct.home_ns }, body: { path: hp, email: o.email, role } })
          : await c.call('share', { params: { ns: r.ns }, body: { path: r.rel, email: o.email, role } });
        ctx.out(`cairn: invited ${res.member.email} to ${hp} as ${res.member.role} (pending until accepted)`);
      });
    });

  share
    .command('list')
    .description('shared folders you are in, and invitations to you')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withClient(ctx, async (c) => {
        const r = await c.call('listShares');
        if (o.json) return ctx.out(JSON.stringify(r, null, 2));
        if (r.shares.length === 0 && r.invitations.length === 0) return ctx.out('no shared folders or invitations');
        for (const s of r.shares) for (const line of describeShare(s)) ctx.out(line);
        for (const i of r.invitations) {
          ctx.out(`invitation ${i.id}: "${i.name}" from ${i.owner_email} as ${i.role} — cairn share accept ${i.id} [--path PATH]`);
        }
      });
    });

  share
    .command('accept')
    .description('accept an invitation; the folder appears in your Cairn')
    .argument('<id>', 'invitation id (cairn share list)')
    .option('--path <path>', 'where to put it (default: its name, made unique)')
    .action(async (id: string, o: { path?: string }) => {
      await withClient(ctx, async (c) => {
        const body = o.path === undefined ? {} : { path: homePath(o.path, root(ctx)) };
        const r = await c.call('acceptInvitation', { params: { id }, body });
        ctx.out(`cairn: accepted; mounted at ${r.mount.mount_path} as ${r.mount.role}`);
      });
    });

  share
    .command('decline')
    .description('decline an invitation')
    .argument('<id>', 'invitation id (cairn share list)')
    .action(async (id: string) => {
      await withClient(ctx, (c) => c.call('declineInvitation', { params: { id } }));
      ctx.out('cairn: declined');
    });

  share
    .command('remove')
    .description('remove a member (or cancel an invitation) of a folder you own')
    .argument('<path>', 'the shared folder')
    .requiredOption('--email <email>', "the member's email")
    .action(async (p: string, o: { email: string }) => {
      await withClient(ctx, async (c) => {
        await c.call('removeMember', { params: { ns: await mountOf(c, ctx, p) }, body: { email: o.email } });
      });
      ctx.out(`cairn: removed ${o.email} from ${p}`);
    });

  share
    .command('role')
    .description("change a member's role in a folder you own")
    .argument('<path>', 'the shared folder')
    .requiredOption('--email <email>', "the member's email")
    .requiredOption('--role <role>', 'editor or viewer')
    .action(async (p: string, o: { email: string; role: string }) => {
      if (o.role !== 'editor' && o.role !== 'viewer') throw new CairnError('usage', '--role must be editor or viewer');
      const role = o.role;
      await withClient(ctx, async (c) => {
        await c.call('setMemberRole', { params: { ns: await mountOf(c, ctx, p) }, body: { email: o.email, role } });
      });
      ctx.out(`cairn: ${o.email} is now ${role} of ${p}`);
    });

  share
    .command('leave')
    .description('leave a shared folder (your devices keep a local copy)')
    .argument('<path>', 'the shared folder')
    .action(async (p: string) => {
      await withClient(ctx, async (c) => c.call('leaveShare', { params: { ns: await mountOf(c, ctx, p) } }));
      ctx.out(`cairn: left ${p}`);
    });

  share
    .command('unshare')
    .description('stop sharing a folder you own (it stays in your Cairn as a plain folder)')
    .argument('<path>', 'the shared folder')
    .action(async (p: string) => {
      await withClient(ctx, async (c) => c.call('unshare', { params: { ns: await mountOf(c, ctx, p) } }));
      ctx.out(`cairn: ${p} is no longer shared`);
    });

  const link = program.command('link').description('public links');

  link
    .command('create')
    .description('create a public link to a file or folder; prints the URL')
    .argument('<path>', 'file or folder in your Cairn')
    .option('--expires <duration>', 'e.g. 30m, 12h, 7d, 2w')
    .option('--password-stdin', 'protect the link with a password read from standard input')
    .action(async (p: string, o: { expires?: string; passwordStdin?: boolean }) => {
      const expiresAt = o.expires === undefined ? undefined : Date.now() + parseDuration(o.expires);
      const password = o.passwordStdin ? await ctx.readStdin() : undefined;
      if (password !== undefined && password.length === 0) throw new CairnError('usage', 'empty password on standard input');
      await withClient(ctx, async (c, server) => {
        const acct = await c.call('account');
        const hp = homePath(p, root(ctx));
        const r = resolveMount(acct, hp);
        // A mount point links the whole shared folder: it is named from the home.
        const [ns, rel] = r.mountPoint ? [acct.home_ns, hp] : [r.ns, r.rel];
        const res = await c.call('createLink', {
          params: { ns },
          body: { path: rel, ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}), ...(password !== undefined ? { password } : {}) },
        });
        ctx.out(`${server}${res.url}`);
      });
    });

  link
    .command('list')
    .description('your public links')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withClient(ctx, async (c) => {
        const [acct, r] = await Promise.all([c.call('account'), c.call('listLinks')]);
        if (o.json) return ctx.out(JSON.stringify(r.links, null, 2));
        if (r.links.length === 0) return ctx.out('no links');
        for (const l of r.links) {
          const exp = l.expires_at === null ? 'no expiry' : `${l.expired ? 'expired' : 'expires'} ${new Date(l.expires_at).toISOString()}`;
          ctx.out(`${l.id}  ${linkHomePath(acct, l)}  ${exp}${l.has_password ? '  password' : ''}`);
        }
      });
    });

  link
    .command('revoke')
    .description('revoke a link (by its URL or id)')
    .argument('<url-or-id>', 'the link URL or its id (cairn link list)')
    .action(async (arg: string) => {
      const id = linkIdOf(arg);
      await withClient(ctx, (c) => c.call('revokeLink', { params: { id } }));
      ctx.out(`cairn: revoked ${id}`);
    });
}
