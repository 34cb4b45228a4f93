/**
 * The chaos harness (issue 7): a real server (a child process, so it can be `kill -9`ed) and
 * N real engines, each behind its own fault-injecting proxy, driven by a seeded workload in
 * rounds. Each round applies a few operations per device while faults fire (devices offline,
 * connections reset, slow links, engine restarts, server kill -9 + restart), then heals
 * everything and waits for quiet. After every round and at the end it checks:
 *
 * 1. convergence — every device's tree equals the server's (paths, folders, content hashes);
 * 2. no loss — every content that existed on any device at the end of a round is in a final
 *    file, a conflicted copy, or the server's revision history;
 * 3. no torn files — every file on disk is a committed revision once quiet (implied by 1);
 * 4. `cairn-server verify` is clean, and every engine's state DB passes its integrity check.
 *
 * A seed fixes the operation list and the fault schedule; the interleaving with the engines'
 * own timing is not fixed, so a replay reproduces the scenario, not every instant of it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { chunkBuffer, contentHash } from 'native-chunker';
import { Engine, link } from '../../src-main/engine/index.ts';
import { startFaultProxy, type FaultProxy } from './proxy.ts';
import { applyOp, generateWorkload, mulberry32, type Op } from './workload.ts';

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
  home: string;
  folder: string;
  proxy: FaultProxy;
  engine: Engine;
  offline: boolean;
}

/** The reference server as a child process on a fixed port (kept across restarts). */
class ServerProcess {
  child: ChildProcess | null = null;
  port = 0;
  readonly dataDir: string;
  constructor(dataDir: string) {
    this.dataDir = dataDir;
  }

  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin/cairn-server.js'), '--data', this.dataDir, '--listen', `127.0.0.1:${this.port}`, '--log-level', 'warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on https?:\/\/[^:]+:(\d+)/u.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
    });
  }

  /** SIGKILL: no drain, no clean close. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
    this.child = null;
  }
}

/** Block-based content hash of bytes, as protocol v1 defines it. */
function fileContentHash(data: Buffer): string {
  return contentHash(chunkBuffer(data).map((c) => c.hash));
}

/** `relative path → "dir" | content hash` of a device folder, engine internals and conflicts included. */
async function deviceTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for (const e of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (/(^|\/)\.cairn/u.test(p)) continue; // engine temp files and state
      if (e.isDirectory()) {
        out.set(p, 'dir');
        await walk(p);
      } else if (e.isFile()) out.set(p, fileContentHash(await fs.readFile(path.join(root, p))));
    }
  };
  await walk('');
  return out;
}

/** The server's live tree and every content hash in its revision history, read from its database. */
function serverState(dataDir: string): { tree: Map<string, string>; history: Set<string> } {
  const db = new Database(path.join(dataDir, 'meta.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const tree = new Map<string, string>();
    const rows = db
      .prepare(
        'SELECT path, kind, content_hash AS hash FROM entries WHERE deleted = 0',
      )
      .all() as Array<{ path: string; kind: string; hash: string | null }>;
    for (const r of rows) tree.set(r.path, r.kind === 'folder' ? 'dir' : (r.hash ?? '?'));
    const history = new Set((db.prepare('SELECT content_hash AS h FROM revisions').all() as Array<{ h: string }>).map((r) => r.h));
    return { tree, history };
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

/**
 * Runs one seeded chaos scenario end to end and returns what broke (nothing, ideally).
 * Never throws for an invariant violation; throws only when the harness itself cannot run.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? (() => {});
  const rnd = mulberry32(o.seed ^ 0x5eed);
  const ops = o.ops ?? generateWorkload(o.seed, o.clients, o.rounds * o.opsPerRound);
  const settleMs = o.settleMs ?? 30_000;
  const problems: string[] = [];
  const faults: string[] = [];
  const mustSurvive = new Map<string, string>(); // content hash → where it was seen
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `cairn-chaos-${o.seed}-`));
  const server = new ServerProcess(path.join(tmp, 'server'));
  const devices: Device[] = [];
  const email = `chaos${o.seed}@example.com`;
  const password = 'chaos-password';

  const newEngine = (d: Pick<Device, 'home' | 'folder'>) => new Engine({ home: d.home, folder: d.folder, pollMs: 2_000 });

  const settle = async (): Promise<boolean> => {
    const deadline = Date.now() + settleMs;
    for (let round = 0; round < 3; round++) {
      for (const d of devices) {
        if (!(await d.engine.waitIdle(Math.max(1, deadline - Date.now())))) {
          problems.push(`${d.name} not quiet after ${settleMs} ms: ${JSON.stringify(d.engine.status())}`);
          return false;
        }
      }
    }
    return true;
  };

  const check = async (when: string): Promise<void> => {
    const { tree: serverTree, history } = serverState(server.dataDir);
    for (const d of devices) {
      const t = await deviceTree(d.folder);
      for (const line of diff(serverTree, t, 'server', d.name)) problems.push(`${when}: convergence: ${line}`);
      for (const [p, h] of t) if (h !== 'dir' && !mustSurvive.has(h)) mustSurvive.set(h, `${d.name}:${p} (${when})`);
      for (const issue of d.engine.integrityCheck()) problems.push(`${when}: ${d.name} state DB: ${issue}`);
    }
    const surviving = new Set<string>([...history, ...[...serverTree.values()]]);
    for (const [h, where] of mustSurvive) if (!surviving.has(h)) problems.push(`${when}: lost content ${h.slice(0, 12)} first seen at ${where}`);
  };

  try {
    await server.start();
    for (let i = 0; i < o.clients; i++) {
      const proxy = await startFaultProxy({ host: '127.0.0.1', port: server.port });
      const name = `dev${i}`;
      const home = path.join(tmp, `home-${name}`);
      const folder = path.join(tmp, `folder-${name}`);
      await fs.mkdir(folder, { recursive: true });
      await link(home, { mode: i === 0 ? 'signup' : 'login', server: proxy.url, email, password, device_name: name });
      const dev: Device = { index: i, name, home, folder, proxy, engine: newEngine({ home, folder }), offline: false };
      await dev.engine.start();
      devices.push(dev);
    }

    const perRound = Math.max(1, Math.ceil(ops.length / o.rounds));
    for (let r = 0; r * perRound < ops.length; r++) {
      const roundOps = ops.slice(r * perRound, (r + 1) * perRound);
      for (const op of roundOps) {
        // A fault before roughly one op in four.
        const f = rnd();
        const d = devices[Math.floor(rnd() * devices.length)]!;
        if (f < 0.06) {
          d.offline = !d.offline;
          d.proxy.set({ offline: d.offline });
          faults.push(`r${r}: ${d.name} ${d.offline ? 'offline' : 'online'}`);
        } else if (f < 0.1) {
          d.proxy.resetAll();
          faults.push(`r${r}: ${d.name} connections reset`);
        } else if (f < 0.13) {
          d.proxy.set({ delayMs: 20 + Math.floor(rnd() * 80) });
          faults.push(`r${r}: ${d.name} slow link`);
        } else if (f < 0.15) {
          faults.push(`r${r}: ${d.name} engine restart`);
          await d.engine.stop();
          d.engine = newEngine(d);
          await d.engine.start();
        } else if (f < 0.165) {
          faults.push(`r${r}: server kill -9`);
          await server.kill();
          await server.start();
        }
        await applyOp(devices[op.device % devices.length]!.folder, op);
        if (rnd() < 0.3) await new Promise((res) => setTimeout(res, Math.floor(rnd() * 30)));
      }
      // Heal and wait for quiet, then check the invariants.
      for (const d of devices) {
        d.offline = false;
        d.proxy.set({ offline: false, delayMs: 0, resetAfterBytes: 0 });
      }
      if (!(await settle())) break;
      await check(`round ${r}`);
      if (problems.length) {
        for (const d of devices) {
          const st = d.engine.status();
          if (st.issues.length) problems.push(`${d.name} reports: ${st.issues.map((i) => `${i.path} ${i.code}`).join(', ')}`);
        }
        break;
      }
      log(`seed ${o.seed} round ${r}: ok (${roundOps.length} ops)`);
    }

    for (const d of devices) await d.engine.stop();
    await server.stop();
    const v = spawnSync(process.execPath, [path.join(ROOT, 'bin/cairn-server.js'), 'verify', '--data', server.dataDir, '--json'], { encoding: 'utf8' });
    if (v.status !== 0) problems.push(`cairn-server verify failed (${v.status}): ${v.stdout}${v.stderr}`.slice(0, 2000));
  } finally {
    for (const d of devices) {
      await d.engine.stop().catch(() => {});
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
export function replayCommand(o: Pick<ChaosOptions, 'seed' | 'clients' | 'rounds' | 'opsPerRound'>): string {
  return `npm run test:chaos -- --seed ${o.seed} --clients ${o.clients} --rounds ${o.rounds} --ops ${o.opsPerRound}`;
}

