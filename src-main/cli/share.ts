/**
 * `cairn share …` and `cairn link …` (issue 6): shared folders and public links. The work is
 * done by the engine's {@link Sharing} (src-main/engine/sharing.ts), the same code behind the
 * UI's sharing screen, reached one of two ways:
 * - straight against the server with this device's token (`<home>/device.json`), so the
 *   commands work whether or not the engine is running;
 * - when the desktop app keeps the token in the OS keychain (`token_in_keychain`), through
 *   the running engine's control API instead (the app serves it); with no engine running the
 *   error says what to do.
 * Wire it in main.ts's program():
 *
 *   registerShareCommands(prog, { home, out, readStdin });
 *
 * PATH arguments are paths in the account's home as the synced folder shows them
 * (`Team/plan.txt`); an absolute local path inside `ctx.syncRoot()` is made relative.
 *
 * May import: engine (account, remote client, sharing), control (client), src-shared, commander.
 */
import type { Command } from 'commander';
import { CairnError } from '../../src-shared/errors.ts';
import type { Share } from '../../src-shared/protocol/model.ts';
import { alive, callControl, readControlInfo } from '../control/client.ts';
import type { SharingApi } from '../engine/sharing.ts';

import { linkIdOf } from '../engine/sharing.ts';

export { homePath, linkIdOf, resolveMount } from '../engine/sharing.ts';

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

/** Duration `30s`, `15m`, `12h`, `7d`, `2w` → ms. @throws CairnError `usage` */
export function parseDuration(s: string): number {
  const m = /^(\d+)\s*(s|m|h|d|w)$/u.exec(s.trim());
  if (!m) throw new CairnError('usage', `bad duration "${s}": use e.g. 30m, 12h, 7d, 2w`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

/**
 * Runs `fn` with the sharing operations of the device in `ctx.home()`: direct (token from
 * device.json) or, for a keychain-kept token, through the running engine.
 * @throws CairnError `not_logged_in`; `token_in_keychain` when the token is in the keychain
 *   and no engine runs
 */
async function withSharing<T>(ctx: ShareCommandsContext, fn: (s: SharingApi) => Promise<T>): Promise<T> {
  const home = ctx.home();
  const { readCredentials } = await import('../engine/account.ts');
  let creds;
  try {
    creds = readCredentials(home);
  } catch (e) {
    const info = e instanceof CairnError && e.code === 'token_in_keychain' ? readControlInfo(home) : null;
    if (!info || !alive(info.pid)) throw e;
    const viaEngine = new Proxy({} as SharingApi, {
      get: (_t, method: string) => (input: unknown) => callControl(home, method as keyof SharingApi, (input ?? {}) as never),
    });
    return fn(viaEngine);
  }
  if (!creds) throw new CairnError('not_logged_in');
  const { RemoteClient } = await import('../engine/remote/client.ts');
  const { Sharing } = await import('../engine/sharing.ts');
  const client = new RemoteClient({ server: creds.server, token: creds.token });
  try {
    return await fn(new Sharing({ client: () => client, root: () => ctx.syncRoot?.() ?? null }));
  } finally {
    await client.close();
  }
}

function describeShare(s: Share): string[] {
  const lines = [`${s.mount_path}  (${s.role}; "${s.name}" owned by ${s.owner_email}; ns ${s.ns})`];
  for (const m of s.members) lines.push(`  ${m.email}  ${m.role}${m.status === 'pending' ? '  (invited)' : ''}`);
  return lines;
}

/**
 * Registers `share add|list|accept|decline|remove|role|leave|unshare` and
 * `link create|list|revoke` on `program`. Errors are CairnErrors with the server's stable
 * codes (`share_nested`, `already_member`, `forbidden`, …; `not_shared` for a PATH that is
 * not a shared folder); main() prints and maps them.
 */
export function registerShareCommands(program: Command, ctx: ShareCommandsContext): void {
  const share = program.command('share').description('shared folders');

  const role = (r: string): 'editor' | 'viewer' => {
    if (r !== 'editor' && r !== 'viewer') throw new CairnError('usage', '--role must be editor or viewer');
    return r;
  };

  share
    .command('add')
    .description('share a folder of your Cairn with another account (by email)')
    .argument('<path>', 'folder in your Cairn')
    .requiredOption('--email <email>', "the invitee's email")
    .option('--role <role>', 'editor or viewer', 'editor')
    .action(async (p: string, o: { email: string; role: string }) => {
      const r = role(o.role);
      const res = await withSharing(ctx, (s) => s.shareAdd({ path: p, email: o.email, role: r }));
      ctx.out(`cairn: invited ${res.member.email} to ${p.replace(/\/+$/u, '')} as ${res.member.role} (pending until accepted)`);
    });

  share
    .command('list')
    .description('shared folders you are in, and invitations to you')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await withSharing(ctx, (s) => s.shares({}));
      if (o.json) return ctx.out(JSON.stringify(r, null, 2));
      if (r.shares.length === 0 && r.invitations.length === 0) return ctx.out('no shared folders or invitations');
      for (const sh of r.shares) for (const line of describeShare(sh)) ctx.out(line);
      for (const i of r.invitations) {
        // Ids made before the server stopped issuing them can start with `-`; those go after `--`.
        const accept = i.id.startsWith('-') ? `cairn share accept [--path PATH] -- ${i.id}` : `cairn share accept ${i.id} [--path PATH]`;
        ctx.out(`invitation ${i.id}: "${i.name}" from ${i.owner_email} as ${i.role} — ${accept}`);
      }
    });

  share
    .command('accept')
    .description('accept an invitation; the folder appears in your Cairn')
    .argument('<id>', 'invitation id (cairn share list)')
    .option('--path <path>', 'where to put it (default: its name, made unique)')
    .action(async (id: string, o: { path?: string }) => {
      const r = await withSharing(ctx, (s) => s.shareAccept({ id, ...(o.path === undefined ? {} : { path: o.path }) }));
      ctx.out(`cairn: accepted; mounted at ${r.mount.mount_path} as ${r.mount.role}`);
    });

  share
    .command('decline')
    .description('decline an invitation')
    .argument('<id>', 'invitation id (cairn share list)')
    .action(async (id: string) => {
      await withSharing(ctx, (s) => s.shareDecline({ id }));
      ctx.out('cairn: declined');
    });

  share
    .command('remove')
    .description('remove a member (or cancel an invitation) of a folder you own')
    .argument('<path>', 'the shared folder')
    .requiredOption('--email <email>', "the member's email")
    .action(async (p: string, o: { email: string }) => {
      await withSharing(ctx, (s) => s.shareRemove({ path: p, email: o.email }));
      ctx.out(`cairn: removed ${o.email} from ${p}`);
    });

  share
    .command('role')
    .description("change a member's role in a folder you own")
    .argument('<path>', 'the shared folder')
    .requiredOption('--email <email>', "the member's email")
    .requiredOption('--role <role>', 'editor or viewer')
    .action(async (p: string, o: { email: string; role: string }) => {
      const r = role(o.role);
      await withSharing(ctx, (s) => s.shareSetRole({ path: p, email: o.email, role: r }));
      ctx.out(`cairn: ${o.email} is now ${r} of ${p}`);
    });

  share
    .command('leave')
    .description('leave a shared folder (your devices keep a local copy)')
    .argument('<path>', 'the shared folder')
    .action(async (p: string) => {
      await withSharing(ctx, (s) => s.shareLeave({ path: p }));
      ctx.out(`cairn: left ${p}`);
    });

  share
    .command('unshare')
    .description('stop sharing a folder you own (it stays in your Cairn as a plain folder)')
    .argument('<path>', 'the shared folder')
    .action(async (p: string) => {
      await withSharing(ctx, (s) => s.shareUnshare({ path: p }));
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
      const res = await withSharing(ctx, (s) =>
        s.linkCreate({
          path: p,
          ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
          ...(password !== undefined ? { password } : {}),
        }),
      );
      ctx.out(res.url);
    });

  link
    .command('list')
    .description('your public links')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await withSharing(ctx, (s) => s.links({}));
      if (o.json) return ctx.out(JSON.stringify(r.links, null, 2));
      if (r.links.length === 0) return ctx.out('no links');
      for (const l of r.links) {
        const where = l.home_path ?? (l.path === null ? '(deleted)' : `(shared folder ${l.ns})/${l.path}`);
        const exp = l.expires_at === null ? 'no expiry' : `${l.expired ? 'expired' : 'expires'} ${new Date(l.expires_at).toISOString()}`;
        ctx.out(`${l.id}  ${where}  ${exp}${l.has_password ? '  password' : ''}`);
      }
    });

  link
    .command('revoke')
    .description('revoke a link (by its URL or id)')
    .argument('<url-or-id>', 'the link URL or its id (cairn link list)')
    .action(async (arg: string) => {
      await withSharing(ctx, (s) => s.linkRevoke({ id: arg }));
      ctx.out(`cairn: revoked ${linkIdOf(arg)}`);
    });
}
