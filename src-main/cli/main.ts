/**
 * The `cairn` command line (the contract of issue 4 — names, flags and exit codes are
 * relied on by scripts): exit 0 success, 1 failure, 2 usage. Errors go to stderr as
 * `cairn: <code>: <message>`. Long work shows a progress bar on a TTY only.
 *
 * One `--home` is one device (default: the platform's config folder; CAIRN_HOME overrides).
 * `start` runs the engine and its control API (daemonized unless `--foreground`); the other
 * commands talk to it through `<home>/control.json`.
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import envPaths from 'env-paths';
import { CairnError } from '../../src-shared/errors.ts';
import type { Status } from '../../src-shared/control.ts';
import { callControl, readControlInfo, alive } from '../control/client.ts';
import { registerShareCommands } from './share.ts';
// The engine (SQLite, chokidar, the chunker) is imported lazily: most commands only talk to
// the running engine, and a quick start matters for scripts.

const ENTRY = fileURLToPath(import.meta.url);
/** How long (ms) `cairn start` waits for the daemon it spawned to answer. */
const START_WAIT_MS = 30_000;

/** Resolves the home folder: --home, then CAIRN_HOME, then the platform config folder. */
export function resolveHome(flag: string | undefined): string {
  return path.resolve(flag ?? process.env.CAIRN_HOME ?? envPaths('cairn', { suffix: '' }).config);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/u, '');
}

function out(s: string): void {
  process.stdout.write(`${s}\n`);
}

function fmtBytes(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${u[i]}`;
}

function describeStatus(s: Status): string {
  const lines = [`state: ${s.state}`];
  if (s.email) lines.push(`account: ${s.email} on ${s.server ?? '?'} (device ${s.device_name ?? '?'})`);
  if (s.folder) lines.push(`folder: ${s.folder}`);
  const p = s.pending;
  if (p.uploads + p.downloads + p.other > 0) lines.push(`pending: ${p.uploads} uploads, ${p.downloads} downloads, ${p.other} other, ${fmtBytes(p.bytes)}`);
  if (s.progress.total_bytes > 0) lines.push(`progress: ${fmtBytes(s.progress.done_bytes)} of ${fmtBytes(s.progress.total_bytes)}${s.progress.eta_ms !== null ? `, ETA ${Math.ceil(s.progress.eta_ms / 1000)} s` : ''}`);
  if (s.held_deletes) {
    lines.push(`held: ${s.held_deletes.count} files would be deleted on the ${s.held_deletes.side === 'remote' ? 'server' : 'local folder'} (e.g. ${s.held_deletes.sample.slice(0, 3).join(', ')})`);
    lines.push('       run `cairn confirm-deletes` to carry it out or `cairn reject-deletes` to restore them');
  }
  if (s.error) lines.push(`error: ${s.error.code}: ${s.error.message}`);
  if (s.conflicts > 0) lines.push(`conflicts: ${s.conflicts} (see \`cairn conflicts\`)`);
  for (const i of s.issues.slice(0, 20)) lines.push(`cannot sync: ${i.path}: ${i.code}: ${i.message} — ${i.action}`);
  if (s.issues.length > 20) lines.push(`… and ${s.issues.length - 20} more issues (status --json)`);
  if (s.last_synced_at) lines.push(`last in sync: ${new Date(s.last_synced_at).toISOString()}`);
  return lines.join('\n');
}

/** Waits for `pid` to exit (polls; there is no event for another process's exit). */
async function waitExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

/** Where `start` serves the UI from: `--ui-dir` (absolute, must hold index.html), else the default build. */
function uiDirOption(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  const abs = path.resolve(dir);
  if (!existsSync(path.join(abs, 'index.html'))) throw new CairnError('usage', `--ui-dir ${dir}: no index.html there (build the UI with npm run build:ui)`);
  return abs;
}

async function runForeground(home: string, folder: string | undefined, uiDir: string | undefined): Promise<void> {
  const { restartWithEngineFlags, tuneEngineHost } = await import('../engine/host.ts');
  // This process now exists to run the engine: start it again with the engine's V8 flags.
  restartWithEngineFlags();
  const { Engine } = await import('../engine/index.ts');
  const { serveEngine } = await import('../control/index.ts');
  // This process now exists to run the engine (the `start` daemon, or in the foreground).
  tuneEngineHost();
  // Takes the home lock: `unavailable` when another engine runs for this home.
  const engine = new Engine({ home, folder: folder ? path.resolve(folder) : undefined });
  // Not linked yet: serve the control API in `setup` state so the UI's first-run screen can
  // sign up or log in (`link`). Linked but no folder known: that is a usage error.
  if (engine.credentials && !engine.root) {
    await engine.stop();
    throw new CairnError('usage', 'no folder: pass --folder PATH');
  }
  // The handlers go in before anything can tell that the engine runs (control.json, written by
  // serveEngine, and the line below): `cairn stop` signals as soon as it sees the engine, and
  // the start itself (the watcher's first crawl of a large folder) can take minutes.
  let serving: ReturnType<typeof serveEngine> | null = null;
  const starting = engine.start();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await starting.catch(() => undefined);
    const s = await serving?.catch(() => undefined);
    // The served engine's close() also stops the engine, then removes control.json.
    if (s) await s.close();
    else await engine.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await starting;
  // A signal during the start: stop() finishes the job and exits.
  if (stopping) await new Promise(() => undefined);
  serving = serveEngine(engine, uiDir ? { uiDir } : {});
  const srv = await serving;
  if (engine.credentials) out(`cairn: syncing ${engine.root} as ${engine.credentials.device_name}; control API on ${srv.url}`);
  else out(`cairn: not linked yet; open the UI to sign up or log in (cairn open); control API on ${srv.url}`);
  await new Promise(() => undefined);
}

async function daemonize(home: string, folder: string | undefined, uiDir: string | undefined): Promise<void> {
  const { homeHolder } = await import('../engine/home-lock.ts');
  const holder = homeHolder(home);
  if (holder !== null) {
    out(`cairn: already running (pid ${holder || 'unknown'})`);
    return;
  }
  // Said here, with its code, rather than as the tail of a failed daemon's log.
  const { readCredentials } = await import('../engine/account.ts');
  readCredentials(home);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const logFile = path.join(home, 'engine.log');
  const fd = openSync(logFile, 'a');
  const args = [
    ENTRY, '--home', home, 'start', '--foreground',
    ...(folder ? ['--folder', path.resolve(folder)] : []),
    ...(uiDir ? ['--ui-dir', uiDir] : []),
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd] });
  let exited: number | null = null;
  child.on('exit', (code) => {
    exited = code ?? 1;
  });
  child.unref();
  const deadline = Date.now() + START_WAIT_MS;
  while (Date.now() < deadline) {
    if (exited !== null) {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-6).join('\n') : '';
      throw new CairnError('not_running', `the engine exited (code ${exited}):\n${tail}`);
    }
    const info = readControlInfo(home);
    if (info && info.pid === child.pid) {
      try {
        await callControl(home, 'status', {}, 2000);
        out(`cairn: started (pid ${child.pid})`);
        return;
      } catch {
        // not answering yet
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // Still starting (the watcher's first crawl of a very large folder): it holds the home, so a retry would
  // only be refused. Say so rather than leave the user guessing whether it runs.
  throw new CairnError('not_running', `the engine (pid ${child.pid}) did not answer within ${START_WAIT_MS / 1000} s; it may still be starting: see ${logFile}, or stop it with cairn stop`);
}

/** Builds the commander program (exported for tests). */
export function program(): Command {
  const prog = new Command('cairn')
    .description('Cairn: keep a folder in sync with a Cairn server')
    .option('--home <dir>', 'device home folder (default: $CAIRN_HOME or the platform config folder)')
    .showHelpAfterError()
    .exitOverride();
  const home = (): string => resolveHome(prog.opts<{ home?: string }>().home);

  for (const mode of ['signup', 'login'] as const) {
    prog
      .command(mode)
      .description(mode === 'signup' ? 'create an account and link this device' : 'link this device to an account')
      .requiredOption('--server <url>', 'server URL, e.g. http://127.0.0.1:7780')
      .requiredOption('--email <email>', 'account email')
      .option('--password-stdin', 'read the password from standard input')
      .option('--device <name>', 'name of this device')
      .action(async (o: { server: string; email: string; passwordStdin?: boolean; device?: string }) => {
        if (!o.passwordStdin) throw new CairnError('usage', '--password-stdin is required (passwords are never taken from arguments)');
        const password = await readStdin();
        const { link } = await import('../engine/account.ts');
        const c = await link(home(), { mode, server: o.server, email: o.email, password, device_name: o.device });
        out(`cairn: ${mode === 'signup' ? 'signed up' : 'logged in'} as ${c.email} on ${c.server}; this device is "${c.device_name}"`);
      });
  }

  prog
    .command('start')
    .description('start the engine and its control API')
    .option('--folder <path>', 'folder to keep in sync')
    .option('--foreground', 'stay in the foreground')
    .option('--ui-dir <dir>', 'serve the UI from this build folder (default: src-renderer/dist)')
    .action(async (o: { folder?: string; foreground?: boolean; uiDir?: string }) => {
      const uiDir = uiDirOption(o.uiDir);
      if (o.foreground) await runForeground(home(), o.folder, uiDir);
      else await daemonize(home(), o.folder, uiDir);
    });

  prog
    .command('stop')
    .description('stop the running engine')
    .action(async () => {
      // The home lock names the engine (engine.pid is trusted only while the lock is held): a
      // stale control.json with a recycled pid must not make us signal someone else's process.
      const h = home();
      const { homeHolder } = await import('../engine/home-lock.ts');
      // engine.pid is written right after the lock is taken, so for an instant a new holder can
      // show the pid a killed one left: signal only a pid seen twice, 50 ms apart.
      let pid = homeHolder(h);
      let confirmed = false;
      for (let i = 0; pid !== null && !confirmed && i < 40; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const again = homeHolder(h);
        confirmed = again === pid && pid !== 0;
        pid = again;
      }
      if (pid === null) {
        out('cairn: not running');
        return;
      }
      if (!confirmed) throw new CairnError('internal', `an engine holds ${h} but its pid is not known yet (${path.join(h, 'engine.pid')}); try again`);
      process.kill(pid, 'SIGTERM');
      if (!(await waitExit(pid, 30_000))) throw new CairnError('internal', `engine (pid ${pid}) did not stop`);
      out('cairn: stopped');
    });

  prog
    .command('status')
    .description('show the sync status')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await callControl(home(), 'status', {});
      out(o.json ? JSON.stringify(s, null, 2) : describeStatus(s));
    });

  prog
    .command('wait-idle')
    .description('wait until in sync with the server (exit 1 on timeout)')
    .option('--timeout <seconds>', 'give up after this many seconds', '600')
    .action(async (o: { timeout: string }) => {
      const secs = Number(o.timeout);
      if (!Number.isFinite(secs) || secs < 0) throw new CairnError('usage', '--timeout must be a number of seconds');
      let bar: { stop(): void } | null = null;
      let timer: NodeJS.Timeout | null = null;
      if (process.stderr.isTTY) {
        const { SingleBar, Presets } = await import('cli-progress');
        const b = new SingleBar({ format: 'syncing [{bar}] {percentage}% | {value}/{total} bytes | {files} files left', stream: process.stderr }, Presets.shades_classic);
        b.start(1, 0, { files: 0 });
        bar = b;
        timer = setInterval(() => {
          void callControl(home(), 'status', {}, 2000).then(
            (s) => {
              b.setTotal(Math.max(1, s.progress.total_bytes));
              b.update(s.progress.done_bytes, { files: s.pending.uploads + s.pending.downloads });
            },
            () => undefined,
          );
        }, 300);
      }
      try {
        const r = await callControl(home(), 'waitIdle', { timeout_ms: Math.round(secs * 1000) });
        if (!r.idle) {
          process.stderr.write(`cairn: timeout: not in sync after ${secs} s (state ${r.status.state})\n`);
          process.exitCode = 1;
        }
      } finally {
        if (timer) clearInterval(timer);
        bar?.stop();
      }
    });

  prog.command('pause').description('pause syncing').action(async () => out(`state: ${(await callControl(home(), 'pause', {})).state}`));
  prog.command('resume').description('resume syncing').action(async () => out(`state: ${(await callControl(home(), 'resume', {})).state}`));

  prog
    .command('ls')
    .description('list a folder with sync states')
    .argument('[path]', 'folder (relative to the sync root)', '')
    .option('--json', 'print JSON')
    .action(async (p: string, o: { json?: boolean }) => {
      const r = await callControl(home(), 'ls', { path: p });
      if (o.json) return out(JSON.stringify(r.entries, null, 2));
      for (const e of r.entries) out(`${e.kind === 'folder' ? 'd' : '-'} ${e.state.padEnd(11)} ${String(e.size).padStart(12)}  ${e.path}${e.kind === 'folder' ? '/' : ''}`);
    });

  prog
    .command('history')
    .description('revisions of a file, newest first')
    .argument('<path>', 'file (relative to the sync root)')
    .option('--json', 'print JSON')
    .action(async (p: string, o: { json?: boolean }) => {
      const r = await callControl(home(), 'history', { path: p });
      if (o.json) return out(JSON.stringify(r.revisions, null, 2));
      for (const v of r.revisions) out(`${v.rev}  ${new Date(v.server_time).toISOString()}  ${String(v.size).padStart(12)}  ${v.device_name ?? '-'}${v.current ? '  (current)' : ''}`);
    });

  prog
    .command('restore')
    .description('restore a revision of a file')
    .argument('<path>', 'file (relative to the sync root)')
    .requiredOption('--rev <rev>', 'revision id (see `cairn history`)')
    .action(async (p: string, o: { rev: string }) => {
      const r = await callControl(home(), 'restore', { path: p, rev: o.rev });
      out(`cairn: restored ${r.entry.path} (new revision ${r.entry.rev ?? '-'})`);
    });

  prog
    .command('exclude')
    .description('selective sync: exclude folders from this device')
    .addArgument(new Command().createArgument('<action>', 'add | remove | list').choices(['add', 'remove', 'list']))
    .argument('[path]', 'folder (relative to the sync root)')
    .action(async (action: 'add' | 'remove' | 'list', p: string | undefined) => {
      let ex: string[];
      if (action === 'list') ex = (await callControl(home(), 'excludeList', {})).excluded;
      else {
        if (!p) throw new CairnError('usage', `exclude ${action} needs a PATH`);
        ex = (await callControl(home(), action === 'add' ? 'excludeAdd' : 'excludeRemove', { path: p })).excluded;
      }
      for (const e of ex) out(e);
    });

  prog
    .command('conflicts')
    .description('list conflicted copies')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await callControl(home(), 'conflicts', {});
      if (o.json) return out(JSON.stringify(r.conflicts, null, 2));
      for (const c of r.conflicts) out(`${c.path}\t(conflicts with ${c.original}: copy from ${c.device_name ?? '?'}, original from ${c.original_device_name ?? '?'})`);
    });

  prog.command('confirm-deletes').description('carry out a held mass delete').action(async () => out(`state: ${(await callControl(home(), 'confirmDeletes', {})).state}`));
  prog.command('reject-deletes').description('refuse a held mass delete (files come back)').action(async () => out(`state: ${(await callControl(home(), 'rejectDeletes', {})).state}`));

  prog
    .command('logout')
    .description('unlink this device (revokes its token)')
    .action(async () => {
      const h = home();
      const info = readControlInfo(h);
      if (info && alive(info.pid)) {
        await callControl(h, 'logout', {});
      } else {
        const { readCredentials, removeCredentials } = await import('../engine/account.ts');
        const { RemoteClient } = await import('../engine/remote/client.ts');
        const c = readCredentials(h);
        if (!c) throw new CairnError('not_logged_in');
        const client = new RemoteClient({ server: c.server, token: c.token });
        try {
          await client.call('logout');
        } catch (e) {
          if (!(e instanceof CairnError) || (e.code !== 'unauthorized' && e.code !== 'offline')) throw e;
        } finally {
          await client.close();
        }
        removeCredentials(h);
      }
      out('cairn: logged out');
    });

  prog
    .command('open')
    .description('open the UI in a browser (or print its URL)')
    .option('--print', 'print the URL (secret included) instead of opening it')
    .action(async (o: { print?: boolean }) => {
      const info = readControlInfo(home());
      if (!info || !alive(info.pid)) throw new CairnError('not_running');
      const url = `http://127.0.0.1:${info.port}/#secret=${info.secret}`;
      if (o.print) return out(url);
      const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
      await new Promise<void>((resolve) => {
        const c = spawn(opener, [url], { stdio: 'ignore', detached: true });
        c.on('error', () => {
          out(url);
          resolve();
        });
        c.on('spawn', () => {
          c.unref();
          resolve();
        });
      });
    });

  // Sharing talks to the server directly (device token), so it works with the engine stopped.
  registerShareCommands(prog, { home, out, readStdin });

  return prog;
}

/**
 * A hint for an "unknown option" that is really an id: invitation and link ids issued before the
 * server stopped starting them with `-` (D43) still do, and commander reads them as options.
 * Returns null when the error is anything else.
 */
export function idOptionHint(e: CommanderError): string | null {
  if (e.code !== 'commander.unknownOption') return null;
  const m = /'(-[A-Za-z0-9_][A-Za-z0-9_-]{14})'/u.exec(e.message);
  return m ? `cairn: usage: if ${m[1]} is an id, write -- ${m[1]} (after any options)` : null;
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const prog = program();
  prog.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    await prog.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Asked-for help (--help, `cairn help`) and --version succeed. Help shown because the
      // command line was incomplete (`cairn` alone, `cairn share`) carries exitCode 1: usage.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help') return e.exitCode === 0 ? 0 : 2;
      const hint = idOptionHint(e);
      if (hint) process.stderr.write(`${hint}\n`);
      return 2;
    }
    if (e instanceof CairnError) {
      process.stderr.write(`cairn: ${e.code}: ${e.message}\n`);
      return e.code === 'usage' ? 2 : 1;
    }
    process.stderr.write(`cairn: internal: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

if (process.argv[1] && (path.resolve(process.argv[1]) === ENTRY || path.basename(process.argv[1]) === 'cairn.js' || path.basename(process.argv[1]) === 'cairn')) {
  const code = await main(process.argv.slice(2));
  // `start --foreground` never resolves; everything else exits with its code.
  process.exit(code);
}
