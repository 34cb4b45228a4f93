/**
 * `cairn-server` command line: runs the server, and administers a data dir offline.
 *
 *   cairn-server [--data DIR] [--listen HOST:PORT] [--tls-cert F --tls-key F]
 *                [--retention-days N] [--default-quota BYTES] [--log-level L]
 *   cairn-server user add --email E --password-stdin [--quota BYTES] [--data DIR]
 *   cairn-server user list [--json] [--data DIR]
 *   cairn-server user set-quota --email E --bytes N [--data DIR]
 *   cairn-server verify [--json] [--fix] [--data DIR]
 *   cairn-server gc [--retention-days N] [--grace-hours H] [--data DIR]
 *
 * Exit codes: 0 ok, 1 failure (or damage found by verify), 2 usage error.
 * When the server is ready it prints exactly one line, `listening on http(s)://HOST:PORT`,
 * on stdout; logs are pino JSON on stderr.
 */
import './threadpool.ts';
import fs from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import envPaths from 'env-paths';
import { Value } from 'typebox/value';
import { DEFAULT_RETENTION_MS, routes } from '../src-shared/index.ts';
import { hashPassword } from './auth/password.ts';
import { lockDataDir, openDataDir } from './data-dir.ts';
import { DEFAULT_QUOTA_BYTES, startServer } from './index.ts';
import { KeyedMutex } from './store/keyed-mutex.ts';
import { DEFAULT_GRACE_MS, runGc } from './ops/gc.ts';
import { runVerify } from './ops/verify.ts';

const DAY_MS = 24 * 3600 * 1000;

/** Usage error: exit code 2. */
class UsageError extends Error {}

function defaultDataDir(): string {
  return envPaths('cairn-server', { suffix: '' }).data;
}

/** Parses `HOST:PORT` (`[v6]:PORT` for IPv6). @throws UsageError */
export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/u.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen wants HOST:PORT, got ${JSON.stringify(s)}`);
  return { host: (m[1] ?? m[2])!, port };
}

function nonNegInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/u.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`${name} wants a non-negative integer`);
    return Number(v);
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/u, '');
}

const dataOption = () => new Option('--data <dir>', 'data folder').default(undefined, 'the platform data folder');

function program(): Command {
  const p = new Command('cairn-server')
    .description('Cairn reference server')
    .addOption(dataOption())
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:7780')
    .option('--tls-cert <file>', 'PEM certificate (serve HTTPS)')
    .option('--tls-key <file>', 'PEM private key (serve HTTPS)')
    .option('--retention-days <n>', 'keep old revisions, deleted entries and journal records this long', nonNegInt('--retention-days'))
    .option('--default-quota <bytes>', 'storage quota of new accounts', nonNegInt('--default-quota'))
    .option('--log-level <level>', 'pino log level', 'info')
    // Root options only before a subcommand, so `verify --data D` reaches verify.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .action(async (o: { data?: string; listen: string; tlsCert?: string; tlsKey?: string; retentionDays?: number; defaultQuota?: number; logLevel: string }) => {
      if (Boolean(o.tlsCert) !== Boolean(o.tlsKey)) throw new UsageError('--tls-cert and --tls-key go together');
      const { host, port } = parseListen(o.listen);
      const tls = o.tlsCert && o.tlsKey ? { cert: await fs.readFile(o.tlsCert), key: await fs.readFile(o.tlsKey) } : undefined;
      const server = await startServer({
        dataDir: o.data ?? defaultDataDir(),
        host,
        port,
        retentionMs: o.retentionDays !== undefined ? o.retentionDays * DAY_MS : DEFAULT_RETENTION_MS,
        quotaBytes: o.defaultQuota ?? DEFAULT_QUOTA_BYTES,
        logLevel: o.logLevel,
        ...(tls ? { tls } : {}),
      });
      let stopping = false;
      // A repeated signal is the same request (a terminal's Ctrl-C reaches both bin/launch.js's
      // wrapper and the server, and the wrapper passes it on); close() ends within its grace.
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        server.app.log.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            server.app.log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      // Announced only once the handlers are in: a supervisor that signals as soon as it reads
      // this line must get a clean shutdown, not the default signal death.
      process.stdout.write(`listening on ${server.url}\n`);
    });

  // A subcommand's --data wins; `cairn-server --data D verify` works too.
  const dataOf = (o: { data?: string }): string => o.data ?? (p.opts() as { data?: string }).data ?? defaultDataDir();
  const user = p.command('user').description('administer accounts (works offline)');
  user
    .command('add')
    .description('create an account; the password is read from stdin')
    .addOption(dataOption())
    .requiredOption('--email <email>')
    .requiredOption('--password-stdin', 'read the password from stdin')
    .option('--quota <bytes>', 'storage quota', nonNegInt('--quota'))
    .action(async (o: { data?: string; email: string; quota?: number }) => {
      const password = await readStdin();
      const body = routes.signup.body.properties;
      if (!Value.Check(body.email, o.email)) throw new UsageError('--email is not an email address');
      if (!Value.Check(body.password, password)) throw new UsageError('the password must be 8 to 1024 characters');
      const { store } = await openDataDir(dataOf(o));
      try {
        const r = await store.createAccount({
          email: o.email,
          passwordHash: await hashPassword(password),
          quotaBytes: o.quota ?? DEFAULT_QUOTA_BYTES,
          device: null,
          now: Date.now(),
        });
        process.stdout.write(`created ${o.email.toLowerCase()} (account ${r.accountId}, home namespace ${r.homeNs})\n`);
      } finally {
        await store.close();
      }
    });
  user
    .command('list')
    .description('list accounts')
    .addOption(dataOption())
    .option('--json', 'machine-readable output')
    .action(async (o: { data?: string; json?: boolean }) => {
      const { store } = await openDataDir(dataOf(o));
      try {
        const list = await store.listAccounts();
        if (o.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else for (const a of list) process.stdout.write(`${a.email}\t${a.account_id}\tused ${a.used_bytes} of ${a.quota_bytes} bytes\t${a.devices} devices\n`);
      } finally {
        await store.close();
      }
    });
  user
    .command('set-quota')
    .description("set an account's storage quota")
    .addOption(dataOption())
    .requiredOption('--email <email>')
    .requiredOption('--bytes <n>', 'quota in bytes', nonNegInt('--bytes'))
    .action(async (o: { data?: string; email: string; bytes: number }) => {
      const { store } = await openDataDir(dataOf(o));
      try {
        await store.setQuota(o.email, o.bytes);
        process.stdout.write(`quota of ${o.email.toLowerCase()} set to ${o.bytes} bytes\n`);
      } finally {
        await store.close();
      }
    });

  p.command('verify')
    .description('recount block references, re-hash every block, check the database; exit 1 on damage (read-only unless --fix)')
    .addOption(dataOption())
    .option('--json', 'machine-readable output')
    .option('--fix', 'write the recounted block reference counts (server must be stopped)')
    .action(async (o: { data?: string; json?: boolean; fix?: boolean }) => {
      const dir = dataOf(o);
      // Fixing writes counts GC relies on: only with the dir locked (refused while a server runs).
      const lock = o.fix ? await lockDataDir(dir) : null;
      const { store, blocks } = await openDataDir(dir).catch(async (err: unknown) => {
        await lock?.release();
        throw err;
      });
      try {
        const r = await runVerify(store, blocks, { fix: o.fix ?? false });
        if (o.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        else {
          process.stdout.write(
            `${r.ok ? 'OK' : 'DAMAGED'}: ${r.blocks} blocks (${r.bytes} bytes), ${r.missing.length} missing, ` +
              `${r.damaged.length} damaged, ${r.referencedButUnknown.length} referenced but unknown, ` +
              `${r.unreferenced} unreferenced, ${r.unrecordedFiles} unrecorded files, ` +
              `${r.refcountDrift} refcounts wrong (${r.refcountFixed} fixed${o.fix ? '' : '; run verify --fix with the server stopped'}), ` +
              `database ${r.database.length === 0 ? 'ok' : r.database.join('; ')}\n`,
          );
          for (const h of r.missing) process.stdout.write(`missing ${h}\n`);
          for (const h of r.damaged) process.stdout.write(`damaged ${h}\n`);
        }
        if (!r.ok) process.exitCode = 1;
      } finally {
        await store.close();
        await lock?.release();
      }
    });

  p.command('gc')
    .description('delete history past retention and unreferenced blocks past the grace period (server must be stopped)')
    .addOption(dataOption())
    .option('--retention-days <n>', 'retention window', nonNegInt('--retention-days'))
    .option('--grace-hours <n>', 'grace period of unreferenced blocks', nonNegInt('--grace-hours'))
    .action(async (o: { data?: string; retentionDays?: number; graceHours?: number }) => {
      const dir = dataOf(o);
      // Held for the whole pass: a server must not start (and GC concurrently) meanwhile.
      const lock = await lockDataDir(dir);
      const { store, blocks } = await openDataDir(dir).catch(async (err: unknown) => {
        await lock.release();
        throw err;
      });
      try {
        const r = await runGc(
          { store, blocks, locks: new KeyedMutex() },
          {
            now: Date.now(),
            retentionMs: o.retentionDays !== undefined ? o.retentionDays * DAY_MS : DEFAULT_RETENTION_MS,
            graceMs: o.graceHours !== undefined ? o.graceHours * 3600_000 : DEFAULT_GRACE_MS,
          },
        );
        process.stdout.write(`${JSON.stringify(r)}\n`);
      } finally {
        await store.close();
        await lock.release();
      }
    });
  for (const c of [user, ...user.commands, ...p.commands]) c.exitOverride().configureOutput({ writeErr: (s) => process.stderr.write(s) });
  return p;
}

/** Runs the CLI with `argv` (as process.argv); resolves to the exit code (the server keeps running). */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`cairn-server: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`cairn-server: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

const code = await main(process.argv);
if (code !== 0) process.exit(code);
