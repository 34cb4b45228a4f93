/**
 * The chaos harness (issue 7): a real server (a child process, so it can be `kill -9`ed) and
 * N real engines, each behind its own fault-injecting proxy, driven by a seeded workload in
 * rounds. Each round applies a few operations per device (writes, appends, in-place patches,
 * truncates, deletes, renames and folder moves, case-only renames, mkdir/rmdir of trees,
 * large files written in pieces while they sync, selective-sync exclude/include) while
 * faults fire: devices offline, connections reset (at once, or after N bytes so uploads and
 * downloads tear), slow links, graceful engine restarts, `kill -9` of an engine running as its
 * own process (`cairn start --foreground`) and restart, `kill -9` of the server and restart.
 * Then it heals everything and waits for quiet. It checks:
 *
 * 1. convergence — every device's tree equals the server's (paths, folders, content hashes),
 *    minus the folders that device excludes (and nothing of those folders is left on it);
 * 2. no loss — every content that existed on any device at a quiet point (including local
 *    edits not yet synced, seen before settling) is in a final file, a conflicted copy, or the
 *    server's revision history;
 * 3. no torn files — at two quiet points per round (workload done, faults still active and
 *    engines busy; then after settling), every file on disk is a committed revision or
 *    content the workload produced on that device (a local edit not yet synced);
 * 4. `cairn-server verify` is clean, and every engine's state DB passes its integrity check.
 *
 * After the last round every exclusion is lifted and the devices must converge on the whole
 * tree. A seed fixes the operation list and the fault schedule; the interleaving with the
 * engines' own timing is not fixed, so a replay reproduces the scenario, not every instant.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { chunkBuffer, contentHash } from 'native-chunker';
import { isInside } from '../../src-shared/paths.ts';
import type { Status } from '../../src-shared/control.ts';
import { callControl } from '../../src-main/control/client.ts';
import { readCredentials } from '../../src-main/engine/account.ts';
import { Engine, link } from '../../src-main/engine/index.ts';
import { RemoteClient } from '../../src-main/engine/remote/client.ts';
import { Sharing } from '../../src-main/engine/sharing.ts';
import { startFaultProxy, type FaultProxy } from './proxy.ts';
import { accountOf, applyOp, generateWorkload, mulberry32, type FsOp, type Op, type ShareOp } from './workload.ts';

/** Sharing op kinds, for dispatch. */
const SHARE_OPS: Record<ShareOp['kind'], true> = { share: true, accept: true, role: true, unmember: true, leave: true, unshare: true };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Parameters of one chaos run. */
export interface ChaosOptions {
  seed: number;
  /** Devices (2–4). */
  clients: number;
  /** Workload rounds. */
  rounds: number;
  /** Operations per round (spread over the devices). */
  opsPerRound: number;
  /** Explicit operation list (replay / shrinking); else generated from the seed. */
  ops?: Op[];
  /** Wait for quiet at most this long per round (ms). */
  settleMs?: number;
  /**
   * Share mode: the devices belong to two accounts (three with 4 devices, see
   * {@link accountOf}) and the workload shares folders between them. Off, one account owns
   * every device and a seed replays exactly as it always did.
   */
  share?: boolean;
  log?: (line: string) => void;
}

/** Outcome of a run: `problems` is empty when every invariant held. */
export interface ChaosResult {
  seed: number;
  ops: Op[];
  problems: string[];
  faults: string[];
}

interface Device {
  index: number;
  name: string;
  /** Account index ({@link accountOf}). */
  account: number;
  /** The account's home namespace. */
  homeNs: string;
  /** Sharing API on the device's own credentials, through its fault proxy (what the CLI does). */
  sharing: Sharing;
  client: RemoteClient;
  home: string;
  folder: string;
  proxy: FaultProxy;
  /** The in-process engine; null while the device runs as a child process ({@link EngineProcess}). */
  engine: Engine | null;
  child: EngineProcess | null;
  /** Global op index before which the child process is killed. */
  killBefore: number;
  offline: boolean;
  /** Content hashes (protocol v1) the workload left in files on this device: local edits. */
  local: Set<string>;
}

/** A child process with `spawn`'s pipes, waiting for a line on stdout. */
function waitForLine(child: ChildProcess, re: RegExp, what: string, timeoutMs: number): Promise<RegExpExecArray> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`${what}: no "${re.source}" within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m);
      }
    });
    // 'close', not 'exit': it comes after stderr has been read to the end, so the message is whole.
    child.once('close', (code) => {
      clearTimeout(t);
      reject(new Error(`${what} exited (${code}) before "${re.source}": ${stderr}`));
    });
  });
}

/**
 * Server and engine processes started by the harness and still running: a campaign killed
 * itself ({@link killChildren}) must not leave them behind holding ports and temp dirs.
 */
const running = new Set<ChildProcess>();

/** Spawns a harness child process and keeps it in {@link running} until it exits. */
function spawnTracked(args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/**
 * SIGKILLs every server and engine process the harness started that is still running
 * (synchronous: safe in a signal handler right before `process.exit`).
 */
export function killChildren(): void {
  for (const c of running) c.kill('SIGKILL');
}

/** Sends SIGKILL (no drain, no clean close) and waits for the exit. */
async function sigkill(c: ChildProcess | null): Promise<void> {
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await exited;
}

/** The reference server as a child process on a fixed port (kept across restarts). */
class ServerProcess {
  child: ChildProcess | null = null;
  port = 0;
  readonly dataDir: string;
  constructor(dataDir: string) {
    this.dataDir = dataDir;
  }

  /**
   * Starts the server (again). A restart keeps the port the engines know; the OS may have handed
   * that port to another socket since the kill (rare: ephemeral ports are shared by every
   * process), so EADDRINUSE is retried a few times before it fails the run.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const child = spawnTracked([path.join(ROOT, 'bin/cairn-server.js'), '--data', this.dataDir, '--listen', `127.0.0.1:${this.port}`, '--log-level', 'warn']);
      this.child = child;
      try {
        const m = await waitForLine(child, /listening on https?:\/\/[^:]+:(\d+)/u, 'server', 30_000);
        this.port = Number(m[1]);
        return;
      } catch (e) {
        if (this.port === 0 || attempt >= 5 || !String(e).includes('EADDRINUSE')) throw e;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  async kill(): Promise<void> {
    await sigkill(this.child);
    this.child = null;
  }

  async stop(): Promise<void> {
    const c = this.child;
    // A child that died of a signal has exitCode null: waiting for its 'exit' would never end.
    if (!c || c.exitCode !== null || c.signalCode !== null) {
      this.child = null;
      return;
    }
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
    this.child = null;
  }
}

/**
 * A device's engine as its own process, the way users run it: `cairn start --foreground`
 * (engine plus control API). The harness drives it over the control API and ends it with
 * SIGKILL — the only way a child engine ends — so its state DB and folder are left exactly
 * as a crash leaves them.
 */
class EngineProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<unknown>;
  constructor(home: string, folder: string) {
    this.child = spawnTracked([path.join(ROOT, 'bin/cairn.js'), '--home', home, 'start', '--folder', folder, '--foreground']);
    this.ready = waitForLine(this.child, /cairn: syncing /u, `engine process (${home})`, 60_000);
  }

  kill(): Promise<void> {
    return sigkill(this.child);
  }
}

/** Block-based content hash of bytes, as protocol v1 defines it. */
function fileContentHash(data: Buffer): string {
  return contentHash(chunkBuffer(data).map((c) => c.hash));
}

/**
 * `relative path → "dir" | content hash` of a device folder, conflicted copies included,
 * engine internals (`.cairn*`) skipped. Items that vanish while it reads (the engine is
 * still working at the first quiet point of a round) are left out.
 */
async function deviceTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const gone = (e: unknown) => {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
    return null;
  };
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true }).catch(gone);
    for (const e of entries ?? []) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (/(^|\/)\.cairn/u.test(p)) continue; // engine temp files and state
      if (e.isDirectory()) {
        out.set(p, 'dir');
        await walk(p);
      } else if (e.isFile()) {
        const data = await fs.readFile(path.join(root, p)).catch(gone);
        if (data) out.set(p, fileContentHash(data));
      }
    }
  };
  await walk('');
  return out;
}

/** A mounted shared folder in an account's view: where, which namespace, the account's role. */
interface ViewMount {
  path: string;
  ns: string;
  role: string;
}

/** An account's view on the server (D28): its home with every mounted namespace grafted at its mount point. */
interface ServerView {
  tree: Map<string, string>;
  mounts: ViewMount[];
}

/**
 * The server's state read from its database: `view(homeNs)` is an account's expected view
 * (`path → "dir" | content hash`), `live` every live content of every namespace, `history`
 * every content hash in the revision history.
 */
function serverState(dataDir: string): { view: (homeNs: string) => ServerView; live: Set<string>; history: Set<string> } {
  const db = new Database(path.join(dataDir, 'meta.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT ns, path, kind, content_hash AS hash, mount_ns AS mountNs, mount_role AS mountRole FROM entries WHERE deleted = 0')
      .all() as Array<{ ns: string; path: string; kind: string; hash: string | null; mountNs: string | null; mountRole: string | null }>;
    const byNs = new Map<string, typeof rows>();
    for (const r of rows) {
      const list = byNs.get(r.ns) ?? [];
      list.push(r);
      byNs.set(r.ns, list);
    }
    const value = (r: (typeof rows)[number]) => (r.kind === 'folder' ? 'dir' : (r.hash ?? '?'));
    const view = (homeNs: string): ServerView => {
      const tree = new Map<string, string>();
      const mounts: ViewMount[] = [];
      for (const r of byNs.get(homeNs) ?? []) {
        tree.set(r.path, value(r));
        if (!r.mountNs) continue;
        mounts.push({ path: r.path, ns: r.mountNs, role: r.mountRole ?? '?' });
        for (const m of byNs.get(r.mountNs) ?? []) tree.set(`${r.path}/${m.path}`, value(m));
      }
      return { tree, mounts };
    };
    const live = new Set(rows.filter((r) => r.hash).map((r) => r.hash!));
    const history = new Set((db.prepare('SELECT content_hash AS h FROM revisions').all() as Array<{ h: string }>).map((r) => r.h));
    return { view, live, history };
  } finally {
    db.close();
  }
}

/** Journal position of every namespace. */
function namespaceSeqs(dataDir: string): Map<string, number> {
  const db = new Database(path.join(dataDir, 'meta.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return new Map((db.prepare('SELECT id, seq FROM namespaces').all() as Array<{ id: string; seq: number }>).map((r) => [r.id, r.seq]));
  } finally {
    db.close();
  }
}

/**
 * Paths in namespace `ns` that devices named `deviceNames` wrote (a revision, or an entry's
 * last change: mkdir, move, delete) after journal position `since`.
 */
function writesSince(dataDir: string, ns: string, since: number, deviceNames: string[]): string[] {
  const db = new Database(path.join(dataDir, 'meta.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const names = JSON.stringify(deviceNames);
    const q = (table: string) =>
      (
        db
          .prepare(`SELECT t.path AS p, d.name AS n FROM ${table} t JOIN devices d ON d.id = t.device_id WHERE t.ns = ? AND t.seq > ? AND d.name IN (SELECT value FROM json_each(?))`)
          .all(ns, since, names) as Array<{ p: string; n: string }>
      ).map((r) => `${r.p} by ${r.n}`);
    return [...new Set([...q('revisions'), ...q('entries')])];
  } finally {
    db.close();
  }
}

/** Sum of the server's journal positions (changes whenever anything commits). */
function serverSeq(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'meta.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT coalesce(sum(seq), 0) AS s FROM namespaces').get() as { s: number }).s;
  } finally {
    db.close();
  }
}

function diff(a: Map<string, string>, b: Map<string, string>, an: string, bn: string): string[] {
  const out: string[] = [];
  for (const [p, h] of a) {
    if (!b.has(p)) out.push(`${p}: on ${an}, not on ${bn}`);
    else if (b.get(p) !== h) out.push(`${p}: differs between ${an} and ${bn}`);
  }
  for (const p of b.keys()) if (!a.has(p)) out.push(`${p}: on ${bn}, not on ${an}`);
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Runs one seeded chaos scenario end to end and returns what broke (nothing, ideally).
 * Never throws for an invariant violation; throws only when the harness itself cannot run.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? (() => {});
  const rnd = mulberry32(o.seed ^ 0x5eed);
  const share = o.share ?? false;
  const ops = o.ops ?? generateWorkload(o.seed, o.clients, o.rounds * o.opsPerRound, { share });
  const settleMs = o.settleMs ?? 30_000;
  const problems: string[] = [];
  const faults: string[] = [];
  const mustSurvive = new Map<string, string>(); // content hash → where it was seen
  // Share mode: contents the workload itself overwrote or deleted on a device. A viewer's held
  // edit or a kept copy is on that device only, so a later user delete of it is no loss.
  const discarded = new Set<string>();
  // D28 "viewer: nothing is written to the server": account → (namespace it views → journal
  // position at the last check); namespaces whose roles an op touched since are left out.
  let viewing = new Map<number, Map<string, number>>();
  const roleTouched = new Set<string>();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `cairn-chaos-${o.seed}-`));
  const server = new ServerProcess(path.join(tmp, 'server'));
  const devices: Device[] = [];
  const emailOf = (account: number) => (account === 0 ? `chaos${o.seed}@example.com` : `chaos${o.seed}-a${account}@example.com`);
  const accounts = new Set(Array.from({ length: o.clients }, (_, i) => accountOf(i, o.clients, share))).size;
  const password = 'chaos-password';

  /**
   * An in-process engine. The workload's rmdirs often add up to what the mass-delete guard
   * holds (≥ 10 files and half the tree within a minute); the harness confirms like the user
   * who made them would, and notes it with the faults.
   */
  const newEngine = (d: Pick<Device, 'name' | 'home' | 'folder'>): Engine => {
    const e = new Engine({ home: d.home, folder: d.folder, pollMs: 2_000 });
    e.on('status', (s: Status) => {
      if (s.state !== 'held' || !s.held_deletes) return;
      faults.push(`note: ${d.name} confirmed ${s.held_deletes.count} held ${s.held_deletes.side} deletes`);
      queueMicrotask(() => e.confirmDeletes());
    });
    return e;
  };
  const engineOf = (d: Device): Engine => {
    if (!d.engine) throw new Error(`${d.name} runs as a child process here`);
    return d.engine;
  };

  /** Moves a device's engine into its own process (stopping the in-process one first). */
  const toChild = async (d: Device, killBefore: number): Promise<void> => {
    await engineOf(d).stop();
    d.engine = null;
    d.child = new EngineProcess(d.home, d.folder);
    d.killBefore = killBefore;
    await d.child.ready;
  };
  /** `kill -9` of the device's engine process, then a fresh in-process engine on the same state. */
  const killChild = async (d: Device): Promise<void> => {
    if (!d.child) return;
    await d.child.kill();
    d.child = null;
    d.engine = newEngine(d);
    await d.engine.start();
  };

  /**
   * Waits until the system is quiet: every engine reports idle (a full rescan and a pull made
   * after the call found nothing to do) and the server's journals did not move meanwhile — so
   * every device matched the same server state. Repeats while they moved.
   */
  const settle = async (): Promise<boolean> => {
    const deadline = Date.now() + settleMs;
    for (;;) {
      const before = serverSeq(server.dataDir);
      const idle = await Promise.all(devices.map((d) => engineOf(d).waitIdle(Math.max(1, deadline - Date.now()))));
      const stuck = devices.filter((_, k) => !idle[k]);
      for (const d of stuck) problems.push(`${d.name} not quiet after ${settleMs} ms: ${JSON.stringify(engineOf(d).status())}`);
      if (stuck.length) return false;
      if (serverSeq(server.dataDir) === before) return true;
    }
  };

  /**
   * The no-torn-files invariant at a quiet point of the workload: every file on every device
   * is a revision the server committed or content the workload produced there. Device trees
   * are read before the server's history, so a download seen on disk is already committed.
   * Whatever is on disk then must also survive (no user action comes before the next check),
   * so local edits not yet synced join the no-loss set here.
   */
  const tornCheck = async (when: string, trees?: Map<Device, Map<string, string>>): Promise<void> => {
    const seen = trees ?? new Map(await Promise.all(devices.map(async (d) => [d, await deviceTree(d.folder)] as const)));
    const { history } = serverState(server.dataDir);
    for (const [d, t] of seen) {
      for (const [p, h] of t) {
        if (h === 'dir') continue;
        if (!history.has(h) && !d.local.has(h)) problems.push(`${when}: torn file ${d.name}:${p} (${h.slice(0, 12)}: neither a committed revision nor a local edit)`);
        if (!mustSurvive.has(h)) mustSurvive.set(h, `${d.name}:${p} (${when})`);
      }
    }
  };

  /**
   * The invariants at a quiet point. Each device must equal its account's view on the server
   * (home plus mounted shared folders, D28) minus what it excludes, except for what D28 says a
   * device keeps unsynced, each reported by an issue: items held in a folder the account only
   * views (`read_only`: a viewer's new item or the conflicted copy of its edit; only inside a
   * viewer mount), a shared folder the account lost (`shared_folder_removed`: the copy is kept
   * as it was; never where the server now has something), a shared folder moved into another
   * one (`nested_share`: the move is not carried out, so the moved copy is extra and its old
   * place is missing).
   */
  const check = async (when: string): Promise<void> => {
    const trees = new Map<Device, Map<string, string>>();
    for (const d of devices) trees.set(d, await deviceTree(d.folder));
    const state = serverState(server.dataDir);
    for (const d of devices) {
      const t = trees.get(d)!;
      const { tree: serverTree, mounts } = state.view(d.homeNs);
      const excluded = engineOf(d).excludeList();
      const visible = new Map([...serverTree].filter(([p]) => !excluded.some((e) => isInside(p, e))));
      const tag = excluded.length ? `${d.name} (excludes ${excluded.join(', ')})` : d.name;
      const issues = engineOf(d).status().issues;
      const held = issues.filter((i) => i.code === 'read_only').map((i) => i.path);
      const kept = issues.filter((i) => i.code === 'shared_folder_removed').map((i) => i.path);
      const nested = issues.filter((i) => i.code === 'nested_share').map((i) => i.path);
      for (const [code, xs] of [['read_only', held], ['shared_folder_removed', kept], ['nested_share', nested]] as const) {
        if (xs.length) faults.push(`state: ${when}: ${d.name} ${code} ${xs.join(', ')}`);
      }
      for (const h of held) {
        if (!mounts.some((m) => m.role === 'viewer' && isInside(h, m.path) && h !== m.path)) problems.push(`${when}: ${d.name} holds ${h} as read_only outside any folder it views`);
      }
      for (const k of kept) if ([...visible.keys()].some((p) => isInside(p, k))) problems.push(`${when}: ${d.name} keeps ${k} (shared folder removed) where the server has content`);
      // A shared folder moved into another namespace stays where the user put it; its old place
      // (its mount point, or a folder holding one) is what the device lacks.
      const movedAway = nested.length ? mounts.map((m) => m.path).filter((m) => !t.has(m)) : [];
      // A held item's folders stay with it, even when deleted on the server (share seed 910087:
      // the owner moved `d1/sub` out while the viewer had created `d1/sub/Empty`).
      const extra = (p: string) => [...held, ...kept, ...nested].some((x) => isInside(p, x) || (t.get(p) === 'dir' && isInside(x, p)));
      const missing = (p: string) => movedAway.some((m) => isInside(p, m) || isInside(m, p));
      for (const line of diff(visible, t, 'server', tag)) {
        const [p, what] = [line.slice(0, line.lastIndexOf(': ')), line.slice(line.lastIndexOf(': ') + 2)];
        if (what.startsWith('on server, not') && missing(p)) continue;
        if (what.startsWith(`on ${tag}, not`) && extra(p)) continue;
        problems.push(`${when}: convergence: ${line}`);
      }
      for (const issue of engineOf(d).integrityCheck()) problems.push(`${when}: ${d.name} state DB: ${issue}`);
    }
    // A namespace an account viewed at the last check and still views, with no role change
    // between: no device of that account wrote anything there meanwhile.
    const seqs = namespaceSeqs(server.dataDir);
    const nowViewing = new Map<number, Map<string, number>>();
    for (const d of devices) {
      const m = nowViewing.get(d.account) ?? new Map<string, number>();
      for (const v of state.view(d.homeNs).mounts) if (v.role === 'viewer') m.set(v.ns, seqs.get(v.ns) ?? 0);
      nowViewing.set(d.account, m);
    }
    for (const [account, was] of viewing) {
      const names = devices.filter((d) => d.account === account).map((d) => d.name);
      for (const [ns, since] of was) {
        if (!nowViewing.get(account)?.has(ns) || roleTouched.has(ns)) continue;
        for (const w of writesSince(server.dataDir, ns, since, names)) problems.push(`${when}: viewer wrote to the server: ${ns}: ${w}`);
      }
    }
    viewing = nowViewing;
    roleTouched.clear();
    await tornCheck(when, trees);
    // Final files on every device count too: a viewer's held edit and a kept copy live there only.
    const surviving = new Set<string>([...state.history, ...state.live, ...discarded]);
    for (const t of trees.values()) for (const h of t.values()) surviving.add(h);
    for (const [h, where] of mustSurvive) if (!surviving.has(h)) problems.push(`${when}: lost content ${h.slice(0, 12)} first seen at ${where}`);
  };

  /** What went wrong, plus each device's own issues (for the report). */
  const failed = (): boolean => {
    if (!problems.length) return false;
    for (const d of devices) {
      const st = d.engine?.status();
      if (st?.issues.length) problems.push(`${d.name} reports: ${st.issues.map((i) => `${i.path} ${i.code}`).join(', ')}`);
    }
    return true;
  };

  /** One fault (or none), drawn before global op `i` of round `r`. */
  const inject = async (r: number, i: number): Promise<void> => {
    const f = rnd();
    const d = devices[Math.floor(rnd() * devices.length)]!;
    if (f < 0.05) {
      d.offline = !d.offline;
      d.proxy.set({ offline: d.offline });
      faults.push(`r${r}: ${d.name} ${d.offline ? 'offline' : 'online'}`);
    } else if (f < 0.08) {
      d.proxy.resetAll();
      faults.push(`r${r}: ${d.name} connections reset`);
    } else if (f < 0.1) {
      const after = 16_384 + Math.floor(rnd() * 1_048_576);
      d.proxy.set({ resetAfterBytes: after });
      faults.push(`r${r}: ${d.name} connections cut after ${after} bytes`);
    } else if (f < 0.13) {
      d.proxy.set({ delayMs: 20 + Math.floor(rnd() * 80) });
      faults.push(`r${r}: ${d.name} slow link`);
    } else if (f < 0.145) {
      faults.push(`r${r}: ${d.name} engine restart`);
      if (d.child) await killChild(d);
      else {
        await engineOf(d).stop();
        d.engine = newEngine(d);
        await d.engine.start();
      }
    } else if (f < 0.165) {
      if (d.child) {
        faults.push(`r${r}: ${d.name} engine kill -9`);
        await killChild(d);
      } else {
        // Runs as its own process for a few ops (it rescans, pulls and works meanwhile), then dies.
        const before = i + 1 + Math.floor(rnd() * 3);
        faults.push(`r${r}: ${d.name} engine in a process, kill -9 before op ${before}`);
        await toChild(d, before);
      }
    } else if (f < 0.18) {
      faults.push(`r${r}: server kill -9`);
      await server.kill();
      await server.start();
    }
  };

  /** Applies workload op `op` on its device; background writes (grow) go to `writing`. */
  const apply = async (op: Op, writing: Array<Promise<unknown>>): Promise<void> => {
    const d = devices[op.device % devices.length]!;
    if (op.kind === 'exclude' || op.kind === 'include') {
      const method = op.kind === 'exclude' ? 'excludeAdd' : 'excludeRemove';
      if (d.child) await callControl(d.home, method, { path: op.path });
      else if (op.kind === 'exclude') engineOf(d).excludeAdd(op.path);
      else engineOf(d).excludeRemove(op.path);
      return;
    }
    if (op.kind in SHARE_OPS) {
      const what = await applyShare(d, op as ShareOp).catch((e: unknown) => `refused: ${(e as { code?: string }).code ?? String(e)}`);
      faults.push(`share: ${d.name} ${op.kind} → ${what}`);
      return;
    }
    if (share) await discard(d, op as FsOp);
    const done = applyOp(d.folder, op as FsOp, (content) => d.local.add(fileContentHash(content)));
    if (op.kind === 'grow') writing.push(done);
    else await done;
  };

  /**
   * Notes what a file op is about to overwrite or delete on the device (share mode): content
   * that lives on this device only (a viewer's held edit, a kept copy) may then be gone, by the
   * user's own hand.
   */
  const discard = async (d: Device, op: FsOp): Promise<void> => {
    const p = op.kind === 'rename' || op.kind === 'mkdir' ? null : op.path;
    if (p === null) return;
    const abs = path.join(d.folder, ...p.split('/'));
    const st = await fs.stat(abs).catch(() => null);
    if (st?.isFile()) {
      const data = await fs.readFile(abs).catch(() => null);
      if (data) discarded.add(fileContentHash(data));
    } else if (st?.isDirectory() && op.kind === 'rmdir') {
      for (const h of (await deviceTree(abs)).values()) if (h !== 'dir') discarded.add(h);
    }
  };

  /**
   * One sharing op through the device's {@link Sharing} (the CLI's and the UI's code), picking
   * its target among what exists now. Returns what it did, or why it did nothing; throws the
   * server's refusal (the caller notes it).
   */
  const applyShare = async (d: Device, op: ShareOp): Promise<string> => {
    const s = d.sharing;
    const pickOf = <T>(xs: T[]): T | undefined => xs[('pick' in op ? op.pick : 0) % Math.max(1, xs.length)];
    switch (op.kind) {
      case 'share': {
        if (accounts < 2) return 'no other account';
        const others = Array.from({ length: accounts }, (_, a) => a).filter((a) => a !== d.account);
        const email = emailOf(others[op.member % others.length]!);
        // A folder the user sees on this device (a shared folder too: that invites one more).
        const folders = [...(await deviceTree(d.folder))].filter(([, v]) => v === 'dir').map(([p]) => p).sort();
        const p = pickOf(folders);
        if (p === undefined) return 'no folder';
        // Not on the server yet (its upload is under way): the user tries again a moment later.
        for (let tries = 0; ; tries++) {
          try {
            const r = await s.shareAdd({ path: p, email, role: op.role });
            return `${p} shared with ${email} as ${op.role} (${r.ns})${tries ? ` after ${tries} retries` : ''}`;
          } catch (e) {
            if ((e as { code?: string }).code !== 'not_found' || tries >= 10) throw e;
            await sleep(300);
          }
        }
      }
      case 'accept': {
        const inv = pickOf((await s.shares()).invitations);
        if (!inv) return 'no invitation';
        try {
          const r = await s.shareAccept(op.path === null ? { id: inv.id } : { id: inv.id, path: op.path });
          return `${inv.ns} accepted at ${r.mount.mount_path} as ${r.mount.role}`;
        } catch (e) {
          // The path is taken (or inside a shared folder): accept under the default name, as the UI offers.
          if (op.path === null || !['path_exists', 'path_case_collision', 'mount_point', 'share_nested'].includes((e as { code?: string }).code ?? '')) throw e;
          const r = await s.shareAccept({ id: inv.id });
          return `${inv.ns} accepted at ${r.mount.mount_path} (not ${op.path}) as ${r.mount.role}`;
        }
      }
      case 'role':
      case 'unmember': {
        const owned = (await s.shares()).shares.filter((x) => x.role === 'owner');
        const target = pickOf(owned.flatMap((x) => x.members.filter((m) => m.role !== 'owner').map((m) => ({ x, m }))));
        if (!target) return 'no member';
        if (op.kind === 'role') {
          roleTouched.add(target.x.ns); // even if the answer is lost, the change may have committed
          await s.shareSetRole({ path: target.x.mount_path, email: target.m.email, role: op.role });
          return `${target.m.email} (${target.m.status}) is ${op.role} in ${target.x.mount_path}`;
        }
        await s.shareRemove({ path: target.x.mount_path, email: target.m.email });
        return `${target.m.email} (${target.m.status}) removed from ${target.x.mount_path}`;
      }
      case 'leave': {
        const sh = pickOf((await s.shares()).shares.filter((x) => x.role !== 'owner'));
        if (!sh) return 'no share to leave';
        await s.shareLeave({ path: sh.mount_path });
        return `left ${sh.mount_path} (${sh.ns})`;
      }
      case 'unshare': {
        const sh = pickOf((await s.shares()).shares.filter((x) => x.role === 'owner'));
        if (!sh) return 'nothing shared';
        await s.shareUnshare({ path: sh.mount_path });
        return `unshared ${sh.mount_path} (${sh.ns})`;
      }
    }
  };

  try {
    await server.start();
    for (let i = 0; i < o.clients; i++) {
      const proxy = await startFaultProxy({ host: '127.0.0.1', port: server.port });
      const name = `dev${i}`;
      const home = path.join(tmp, `home-${name}`);
      const folder = path.join(tmp, `folder-${name}`);
      await fs.mkdir(folder, { recursive: true });
      const account = accountOf(i, o.clients, share);
      const first = devices.every((x) => x.account !== account);
      await link(home, { mode: first ? 'signup' : 'login', server: proxy.url, email: emailOf(account), password, device_name: name });
      const creds = readCredentials(home)!;
      const client = new RemoteClient({ server: creds.server, token: creds.token });
      const dev: Device = {
        index: i,
        name,
        account,
        homeNs: creds.home_ns,
        client,
        sharing: new Sharing({ client: () => client }),
        home,
        folder,
        proxy,
        engine: newEngine({ name, home, folder }),
        child: null,
        killBefore: 0,
        offline: false,
        local: new Set(),
      };
      await dev.engine!.start();
      devices.push(dev);
    }

    const perRound = Math.max(1, Math.ceil(ops.length / o.rounds));
    let ok = true;
    for (let r = 0; ok && r * perRound < ops.length; r++) {
      const roundOps = ops.slice(r * perRound, (r + 1) * perRound);
      const writing: Array<Promise<unknown>> = [];
      for (const [k, op] of roundOps.entries()) {
        const i = r * perRound + k;
        for (const d of devices) {
          if (d.child && d.killBefore <= i) {
            faults.push(`r${r}: ${d.name} engine kill -9`);
            await killChild(d);
          }
        }
        await inject(r, i);
        await apply(op, writing);
        if (rnd() < 0.3) await sleep(Math.floor(rnd() * 30));
      }
      await Promise.all(writing);
      for (const d of devices) {
        if (!d.child) continue;
        await sleep(Math.floor(rnd() * 300)); // let it get into its work
        faults.push(`r${r}: ${d.name} engine kill -9 (end of round)`);
        await killChild(d);
      }
      // Quiet point 1: the workload rests, faults still active, engines mid-work.
      await tornCheck(`round ${r} (busy)`);
      // Heal and wait for quiet, then check the invariants.
      for (const d of devices) {
        d.offline = false;
        d.proxy.set({ offline: false, delayMs: 0, resetAfterBytes: 0 });
      }
      ok = (await settle()) && (await check(`round ${r}`), !failed());
      if (ok) log(`seed ${o.seed} round ${r}: ok (${roundOps.length} ops)`);
    }
    // Every exclusion lifted: the devices must converge on the whole tree.
    if (ok && devices.some((d) => engineOf(d).excludeList().length > 0)) {
      for (const d of devices) for (const e of engineOf(d).excludeList()) engineOf(d).excludeRemove(e);
      ok = (await settle()) && (await check('all included'), !failed());
    }

    for (const d of devices) await engineOf(d).stop();
    await server.stop();
    const v = spawnSync(process.execPath, [path.join(ROOT, 'bin/cairn-server.js'), 'verify', '--data', server.dataDir, '--json'], { encoding: 'utf8' });
    if (v.status !== 0) problems.push(`cairn-server verify failed (${v.status}): ${v.stdout}${v.stderr}`.slice(0, 2000));
  } finally {
    for (const d of devices) {
      await d.child?.kill().catch(() => {});
      await d.engine?.stop().catch(() => {});
      await d.client.close().catch(() => {});
      await d.proxy.close().catch(() => {});
    }
    await server.kill().catch(() => {});
    if (!problems.length) await fs.rm(tmp, { recursive: true, force: true });
    else problems.push(`(files kept in ${tmp})`);
  }
  return { seed: o.seed, ops, problems, faults };
}

/**
 * Shrinks a failing operation list by delta debugging (Zeller & Hildebrandt, "Simplifying
 * and Isolating Failure-Inducing Input", IEEE TSE 2002), bounded by `budget` re-runs.
 */
export async function shrink(o: ChaosOptions, failing: Op[], budget = 12): Promise<Op[]> {
  let current = failing;
  let n = 2;
  while (budget > 0 && current.length > 1) {
    const size = Math.ceil(current.length / n);
    let reduced = false;
    for (let i = 0; i < current.length && budget > 0; i += size) {
      const candidate = [...current.slice(0, i), ...current.slice(i + size)];
      budget--;
      const r = await runChaos({ ...o, ops: candidate, rounds: Math.min(o.rounds, candidate.length) });
      if (r.problems.length) {
        current = candidate;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(current.length, n * 2);
    }
  }
  return current;
}

/** The command that replays a run. */
export function replayCommand(o: Pick<ChaosOptions, 'seed' | 'clients' | 'rounds' | 'opsPerRound' | 'share'>): string {
  return `npm run test:chaos -- ${o.share ? '--share ' : ''}--seed ${o.seed} --clients ${o.clients} --rounds ${o.rounds} --ops ${o.opsPerRound}`;
}

