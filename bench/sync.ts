/**
 * Sync benchmark (`npm run bench:sync`, `--quick` for a short run). Everything on loopback:
 * a real server (child process) and two real engines (in this process), each figure beside
 * a baseline measured in the same run.
 *
 * 1. initial sync of a real tree (the project's node_modules; --quick: a part of it):
 *    files/s and MB/s from "A starts" to "B in sync", against `cp -r` of the same tree;
 * 2. propagation latency of a small edit A → B, p50 / p99 over 100 edits;
 * 3. a 1 GiB random file (--quick: 256 MiB): creation on A until B has it (MB/s, against
 *    `cp`, and against the same work done by a plain relay: bench/plain-relay.ts), then a
 *    one-byte insert at its start: time until B has it and bytes on the wire;
 * 4. rescan time of an unchanged 100,000-file tree (--quick: 10,000) after a restart;
 * 5. client resident memory and idle CPU while watching that tree.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  rmSync,
  writeFileSync,
  readFileSync,
  readdirSync,
  statSync,
  openSync,
  writeSync,
  closeSync,
  fsyncSync,
  renameSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { restartWithEngineFlags, tuneEngineHost } from '../src-main/engine/host.ts';
import { plainRelay } from './plain-relay.ts';
import { Engine, link } from '../src-main/engine/index.ts';

// The engines here stand for the CLI daemon, which starts with the engine's V8 flags and tunes
// its process so.
restartWithEngineFlags();
tuneEngineHost();

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
/** `--only=3,4`: run only these sections (1–5; 4 and 5 always run together). */
const ONLY = new Set(
  (process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? '1,2,3,4,5').split(',').map(Number),
);
/** `--cpu-prof=DIR`: write V8 CPU profiles of the server, the bench process (engines A and B) and the restarted client to DIR. */
const PROF_DIR = process.argv.find((a) => a.startsWith('--cpu-prof='))?.slice(11) ?? null;
const profArgs = (name: string): string[] =>
  PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
const TMP = path.join(os.tmpdir(), `cairn-bench-sync-${process.pid}`);
const MiB = 1024 * 1024;

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}
function treeStats(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      files++;
      bytes += statSync(path.join(e.parentPath, e.name)).size;
    }
  }
  return { files, bytes };
}

async function startServerProcess(): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(
    process.execPath,
    [
      ...profArgs('server'),
      path.join(ROOT, 'bin/cairn-server.js'),
      '--data',
      path.join(TMP, 'server'),
      '--listen',
      '127.0.0.1:0',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /listening on (http:\/\/\S+)/u.exec(buf);
      if (m) resolve(m[1] as string);
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { url, proc };
}

/** Resolves when `engine` logs `action` for `rel`. */
function activityFor(engine: Engine, rel: string, action = 'downloaded'): Promise<void> {
  return new Promise((resolve) => {
    const on = (item: { path: string; action: string }): void => {
      if (item.path === rel && item.action === action) {
        engine.off('activity', on);
        resolve();
      }
    };
    engine.on('activity', on);
  });
}

function line(name: string, value: string, baseline = ''): void {
  console.log(`${name.padEnd(48)} ${value.padEnd(28)} ${baseline}`);
}

/** Seconds (as text) of `ms` milliseconds. */
function sec(msv: number): string {
  return `${(msv / 1000).toFixed(2)} s`;
}

/** MB/s of `bytes` moved in `msv` milliseconds (MiB-based, as `cp` and the issue count). */
function mbps(bytes: number, msv: number): number {
  return bytes / MiB / (msv / 1000);
}

/**
 * Plain-HTTP PUT baseline: `total` bytes as 1 MiB bodies, 4 at a time, from this process to a
 * trivial node:http server in its own process that only counts the bytes (no hashing, no disk) —
 * what loopback HTTP costs here, measured in the same run.
 */
async function plainPutMBps(total: number): Promise<number> {
  const code = `const s = require('node:http').createServer((q, r) => { let n = 0; q.on('data', (c) => { n += c.length; }); q.on('end', () => { r.end(String(n)); }); });
    s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve) => {
    let buf = '';
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /listening on (http:\/\/\S+)/u.exec(buf);
      if (m) resolve(m[1] as string);
    });
  });
  const { request, Agent } = await import('undici');
  const agent = new Agent({ connections: 8 });
  const body = randomBytes(MiB);
  let next = 0;
  const n = Math.floor(total / MiB);
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next++ < n) {
        const r = await request(`${url}/x`, { method: 'PUT', body, dispatcher: agent });
        await r.body.text();
      }
    }),
  );
  const took = ms(t0);
  await agent.close();
  child.kill('SIGTERM');
  return mbps(n * MiB, took);
}

/**
 * CPU time (ms, user + system, all threads) of process `pid` from /proc; with `children`, that of
 * its waited-for children instead. CPU time is what a loaded, shared machine distorts least.
 */
function cpuMs(pid: number | 'self', children = false): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
  const [u, s] = children ? [parts[13], parts[14]] : [parts[11], parts[12]];
  return (Number(u) + Number(s)) * 10; // clock ticks of 1/100 s
}

/** `--cpu-detail`: also print CPU per thread kind (main, libuv pool, V8 workers) and user/sys. */
const CPU_DETAIL = process.argv.includes('--cpu-detail');

/** CPU ms per thread name of a process (user and system), from /proc/PID/task/TID/stat. */
function threadCpu(pid: number | 'self'): Map<string, { user: number; sys: number }> {
  const out = new Map<string, { user: number; sys: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let f: string;
    try {
      f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const name = f.slice(f.indexOf('(') + 1, f.lastIndexOf(')')).replace(/[0-9]+$/u, '').trim();
    const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
    const e = out.get(name) ?? { user: 0, sys: 0 };
    e.user += Number(parts[11]) * 10;
    e.sys += Number(parts[12]) * 10;
    out.set(name, e);
  }
  return out;
}

/** Difference of two {@link threadCpu} snapshots as text: "name user+sys ms, …", largest first. */
function threadCpuText(a: Map<string, { user: number; sys: number }>, b: Map<string, { user: number; sys: number }>): string {
  const rows: Array<[string, number, number]> = [];
  for (const [k, v] of b) {
    const o = a.get(k) ?? { user: 0, sys: 0 };
    if (v.user - o.user + v.sys - o.sys > 0) rows.push([k, v.user - o.user, v.sys - o.sys]);
  }
  return rows
    .sort((x, y) => y[1] + y[2] - x[1] - x[2])
    .map(([k, u, s]) => `${k} ${u}u+${s}s`)
    .join(', ');
}

/**
 * `openssl dgst -sha256` of `file`: MB/s of one core hashing (the fair hashing baseline,
 * PERF-NOTES) and the CPU ms of that one SHA-256 pass.
 */
function openssl(file: string, bytes: number): { mbps: number; cpuMs: number } {
  const c0 = cpuMs('self', true);
  const t0 = process.hrtime.bigint();
  execFileSync('openssl', ['dgst', '-sha256', file], { stdio: 'ignore' });
  return { mbps: mbps(bytes, ms(t0)), cpuMs: cpuMs('self', true) - c0 };
}

/**
 * Section 3: a random file of 1 GiB (--quick: 256 MiB) created on A (cp + rename) until B logs
 * it downloaded; then a one-byte insert at its start. Each phase is timed by the engines' own
 * activity lines: "A uploaded" (scan, upload, commit acknowledged) and "B downloaded".
 */
async function bigFile(A: Engine, B: Engine, fA: string, serverPid: number): Promise<void> {
  const size = (QUICK ? 256 : 1024) * MiB;
  const big = path.join(TMP, 'big.bin');
  const fd = openSync(big, 'w');
  for (let off = 0; off < size; off += 64 * MiB) writeSync(fd, randomBytes(64 * MiB));
  fsyncSync(fd); // its writeback must not throttle the measured writes
  closeSync(fd);
  // Baselines of the same run: cp (page cache to page cache), SHA-256 on one core, plain HTTP PUT.
  let t0 = process.hrtime.bigint();
  execFileSync('cp', [big, path.join(TMP, 'big-cp.bin')]);
  const cpBig = mbps(size, ms(t0));
  rmSync(path.join(TMP, 'big-cp.bin'));
  const ossl = openssl(big, size);
  const sha = ossl.mbps;
  /** CPU ms of the engines (this process) and the server since `from`, as text and in SHA-256 passes. */
  const cpu0 = (): [number, number] => [cpuMs('self'), cpuMs(serverPid)];
  let detail0 = CPU_DETAIL ? [threadCpu('self'), threadCpu(serverPid)] : [];
  const detailLines = (): void => {
    if (!CPU_DETAIL) return;
    line('    cpu engines', threadCpuText(detail0[0] as Map<string, { user: number; sys: number }>, threadCpu('self')));
    line('    cpu server', threadCpuText(detail0[1] as Map<string, { user: number; sys: number }>, threadCpu(serverPid)));
    detail0 = [threadCpu('self'), threadCpu(serverPid)];
  };
  const cpuLine = (from: [number, number]): string => {
    const [e, s] = [cpuMs('self') - from[0], cpuMs(serverPid) - from[1]];
    return `CPU: engines ${sec(e)}, server ${sec(s)} = ${((e + s) / ossl.cpuMs).toFixed(1)}× one openssl sha256 pass (${sec(ossl.cpuMs)})`;
  };
  const put = await plainPutMBps(Math.min(size, 512 * MiB));
  const upA = activityFor(A, 'big.bin', 'uploaded');
  let got = activityFor(B, 'big.bin');
  let c0 = cpu0();
  if (CPU_DETAIL) detail0 = [threadCpu('self'), threadCpu(serverPid)];
  t0 = process.hrtime.bigint();
  execFileSync('cp', [big, path.join(fA, '.big.tmp')]);
  renameSync(path.join(fA, '.big.tmp'), path.join(fA, 'big.bin'));
  const cpDone = ms(t0);
  await upA;
  const upMs = ms(t0);
  // Per phase: A's scan and upload, then B's download (the engines share this process).
  const detailUp = CPU_DETAIL ? [threadCpu('self'), threadCpu(serverPid)] : [];
  await got;
  const bigMs = ms(t0);
  const rate = mbps(size, bigMs);
  line(
    `3a. ${size / MiB} MiB random file A→B`,
    `${rate.toFixed(0)} MB/s (${sec(bigMs)})`,
    `target ≥ 300 MB/s; ${(rate / cpBig).toFixed(2)}× cp (${cpBig.toFixed(0)} MB/s), ${(rate / sha).toFixed(2)}× openssl sha256 (${sha.toFixed(0)} MB/s), ${(rate / put).toFixed(2)}× plain HTTP PUT (${put.toFixed(0)} MB/s)`,
  );
  line(
    '    phases',
    `cp into A ${sec(cpDone)}, A uploaded +${sec(upMs - cpDone)}, B downloaded +${sec(bigMs - upMs)}`,
  );
  const bigCpuMs = cpuMs('self') - c0[0] + cpuMs(serverPid) - c0[1];
  line('    cpu', cpuLine(c0));
  if (CPU_DETAIL) {
    const [e0, s0] = detail0 as Array<Map<string, { user: number; sys: number }>>;
    const [e1, s1] = detailUp as Array<Map<string, { user: number; sys: number }>>;
    line('    cpu engines, A phase', threadCpuText(e0 as Map<string, { user: number; sys: number }>, e1 as Map<string, { user: number; sys: number }>));
    line('    cpu server, A phase', threadCpuText(s0 as Map<string, { user: number; sys: number }>, s1 as Map<string, { user: number; sys: number }>));
  }
  detailLines();
  const up0 = A.stats().bytes_up;
  const down0 = B.stats().bytes_down;
  const ins = path.join(fA, '.big2.tmp');
  const fd2 = openSync(ins, 'w');
  writeSync(fd2, Buffer.from([0x42]));
  writeSync(fd2, readFileSync(big));
  // Prepared before the clock starts: its own writeback must not throttle the measured writes.
  fsyncSync(fd2);
  closeSync(fd2);
  const upA2 = activityFor(A, 'big.bin', 'uploaded');
  got = activityFor(B, 'big.bin');
  c0 = cpu0();
  if (CPU_DETAIL) detail0 = [threadCpu('self'), threadCpu(serverPid)];
  t0 = process.hrtime.bigint();
  renameSync(ins, path.join(fA, 'big.bin'));
  await upA2;
  const up2 = ms(t0);
  await got;
  const insMs = ms(t0);
  line(
    '3b. one-byte insert at the start, A→B',
    `${sec(insMs)}, ${((A.stats().bytes_up - up0) / MiB).toFixed(2)} MiB up, ${((B.stats().bytes_down - down0) / MiB).toFixed(2)} MiB down`,
    `target ≤ 3 s, about one block (≤ 4 MiB) on the wire; ${(insMs / ((size / MiB / sha) * 1000)).toFixed(1)}× one openssl sha256 pass`,
  );
  line('    phases', `A uploaded ${sec(up2)}, B downloaded +${sec(insMs - up2)}`);
  line('    cpu', cpuLine(c0));
  detailLines();
  // After 3b, so that neither transfer reuses memory the other just freed (see plain-relay.ts).
  const relayDir = path.join(TMP, 'relay');
  mkdirSync(relayDir, { recursive: true });
  const relay = await plainRelay(big, relayDir);
  line(
    '3a. same work, plain relay (baseline)',
    `${mbps(size, relay.totalMs).toFixed(0)} MB/s (${sec(relay.totalMs)}), CPU ${sec(relay.cpuMs)}`,
    // Cairn's time without the cp that creates the file on A (the relay starts from a file).
    `Cairn 3a after the cp: ${(relay.totalMs / (bigMs - cpDone)).toFixed(2)}× its speed, ${(bigCpuMs / relay.cpuMs).toFixed(2)}× its CPU; relay steps: hash+send ${sec(relay.upMs)}, fetch+hash+write ${sec(relay.downMs)}`,
  );
}

async function main(): Promise<void> {
  rmSync(TMP, { recursive: true, force: true });
  mkdirSync(TMP, { recursive: true });
  const { url, proc } = await startServerProcess();
  const email = 'bench@example.com';
  const password = 'bench-password';
  const hA = path.join(TMP, 'hA');
  const hB = path.join(TMP, 'hB');
  const fA = path.join(TMP, 'A');
  const fB = path.join(TMP, 'B');
  await link(hA, { mode: 'signup', server: url, email, password, device_name: 'A' });
  await link(hB, { mode: 'login', server: url, email, password, device_name: 'B' });
  console.log(
    `Cairn sync benchmark${QUICK ? ' (--quick)' : ''} — loopback, ${os.cpus().length} cores, Node ${process.version}\n`,
  );
  line('figure', 'Cairn', 'baseline (same run)');
  line('------', '-----', '-------------------');
  let A: Engine | null = null;
  let B: Engine | null = null;
  let daemon: ChildProcess | null = null;
  try {
    // 1. Initial sync of a real tree (without section 1 the engines start on empty folders).
    const src = QUICK ? path.join(ROOT, 'node_modules/typescript') : path.join(ROOT, 'node_modules');
    const t = ONLY.has(1) ? treeStats(src) : { files: 0, bytes: 0 };
    let t0 = process.hrtime.bigint();
    let cpMs = 0;
    mkdirSync(fA, { recursive: true });
    if (ONLY.has(1)) {
      execFileSync('cp', ['-r', src, path.join(TMP, 'cp-baseline')]);
      cpMs = ms(t0);
      rmSync(path.join(TMP, 'cp-baseline'), { recursive: true, force: true });
      execFileSync('cp', ['-r', src, path.join(fA, 'tree')]);
    }
    t0 = process.hrtime.bigint();
    A = new Engine({ home: hA, folder: fA });
    B = new Engine({ home: hB, folder: fB });
    await A.start();
    await B.start();
    if (!(await A.waitIdle(3_600_000))) throw new Error('A not idle');
    if (!(await B.waitIdle(3_600_000))) throw new Error('B not idle');
    const syncMs = ms(t0);
    if (ONLY.has(1)) {
      line(
        `1. initial sync, ${t.files} files, ${(t.bytes / MiB).toFixed(0)} MiB`,
        `${(t.files / (syncMs / 1000)).toFixed(0)} files/s, ${(t.bytes / MiB / (syncMs / 1000)).toFixed(1)} MB/s`,
        `cp -r: ${(t.files / (cpMs / 1000)).toFixed(0)} files/s (${(syncMs / cpMs).toFixed(1)}× the time)`,
      );
    }

    // 2. Propagation latency of a small edit.
    if (ONLY.has(2)) {
      const lat: number[] = [];
      writeFileSync(path.join(fA, 'edit.txt'), 'v0');
      await Promise.all([A.waitIdle(60_000), B.waitIdle(60_000)]);
      const rounds = QUICK ? 30 : 100;
      for (let i = 1; i <= rounds; i++) {
        const got = activityFor(B, 'edit.txt');
        const s = process.hrtime.bigint();
        writeFileSync(path.join(fA, 'edit.txt'), `v${i} ${'x'.repeat(i)}`);
        await got;
        lat.push(ms(s));
      }
      line(
        `2. small edit A→B latency (${rounds} edits)`,
        `p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms`,
        'target p50 < 300 ms, p99 < 1 s',
      );
    }

    // 3. A large random file, then a one-byte insert at its start.
    if (ONLY.has(3)) await bigFile(A, B, fA, proc.pid as number);
    await Promise.all([A.waitIdle(600_000), B.waitIdle(600_000)]);
    await B.stop();
    B = null;
    if (!ONLY.has(4) && !ONLY.has(5)) return;

    // 4. Rescan of an unchanged many-file tree after a restart.
    const n = QUICK ? 10_000 : 100_000;
    const many = path.join(fA, 'many');
    for (let d = 0; d < n / 1000; d++) {
      mkdirSync(path.join(many, `d${d}`), { recursive: true });
      for (let f = 0; f < 1000; f++) writeFileSync(path.join(many, `d${d}`, `f${f}.txt`), `${d}/${f}`);
    }
    t0 = process.hrtime.bigint();
    if (!(await A.waitIdle(3_600_000))) throw new Error('A not idle after many files');
    const upMany = ms(t0);
    await A.stop();
    A = null;
    t0 = process.hrtime.bigint();
    execFileSync('find', [fA, '-type', 'f', '-newer', '/'], { stdio: 'ignore', maxBuffer: 1 << 30 });
    const findMs = ms(t0);
    // The restarted client runs as its own process (`cairn start --foreground`), so its memory
    // and CPU are measured alone.
    const cli = path.join(ROOT, 'src-main/cli/main.ts');
    t0 = process.hrtime.bigint();
    const log = openSync(path.join(TMP, 'daemon.log'), 'a');
    daemon = spawn(
      process.execPath,
      [...profArgs('client'), cli, '--home', hA, 'start', '--folder', fA, '--foreground'],
      { stdio: ['ignore', log, log] },
    );
    const proc2 = daemon;
    // Its control API is up once control.json names it (no event crosses processes: poll).
    for (;;) {
      if (proc2.exitCode !== null)
        throw new Error(`client exited: ${readFileSync(path.join(TMP, 'daemon.log'), 'utf8')}`);
      try {
        if (
          (JSON.parse(readFileSync(path.join(hA, 'control.json'), 'utf8')) as { pid: number }).pid ===
          proc2.pid
        )
          break;
      } catch {
        // not written yet
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    execFileSync(process.execPath, [cli, '--home', hA, 'wait-idle', '--timeout', '3600'], {
      stdio: 'inherit',
    });
    const rescanMs = ms(t0);
    line(
      `4. restart + rescan, ${n} unchanged files (+ tree 1)`,
      `${(rescanMs / 1000).toFixed(2)} s`,
      `find -newer (stat only): ${(findMs / 1000).toFixed(2)} s; first upload took ${(upMany / 1000).toFixed(1)} s`,
    );

    // 5. Resident memory and idle CPU of that client process while it watches the tree.
    const pid = daemon.pid as number;
    const ticks = (): number => {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
      return Number(parts[11]) + Number(parts[12]); // utime + stime, in clock ticks (1/100 s)
    };
    const c0 = ticks();
    const w0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, QUICK ? 5000 : 10_000));
    const cpu = (((ticks() - c0) * 10) / ms(w0)) * 100;
    const rss = Number(/VmRSS:\s+(\d+)/u.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    line(
      `5. client watching ${n + t.files} files`,
      `RSS ${rss.toFixed(0)} MiB, idle CPU ${cpu.toFixed(2)} %`,
      '(the client process alone)',
    );
  } finally {
    await A?.stop();
    await B?.stop();
    if (daemon && daemon.exitCode === null) {
      const d = daemon;
      const exited = new Promise((r) => d.once('exit', r));
      d.kill('SIGTERM');
      await exited;
    }
    const serverExited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await serverExited;
    rmSync(TMP, { recursive: true, force: true });
  }
}

await main();
