/**
 * Reference-server benchmark (`npm run bench:server`, `--quick` for a short run).
 *
 * The server runs as its own process (the real CLI, `bin/cairn-server.js`) on loopback; 16
 * concurrent clients (undici) measure:
 *   1. single-file commits per second (blocks uploaded beforehand: commit cost only);
 *   2. small-file batch commits, files per second (batches of 100);
 *   3. block upload MB/s (unique 1 MiB blocks), as a ratio to a plain HTTP upload of the same
 *      bytes to a trivial node:http handler (also its own process) in the same run — the
 *      machine is shared, so the ratio is the figure to compare;
 *   4. list-changes latency p50/p99 (limit 500, random cursor positions) over a journal of
 *      100 000 records (20 000 with --quick).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { encodeCursor } from '../src-shared/protocol/cursor.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const CLIENTS = 16;
const SINGLE_COMMITS = QUICK ? 800 : 4000;
const BATCH_FILES = QUICK ? 8000 : 32_000;
const BATCH_SIZE = 100;
const UPLOAD_MIB = QUICK ? 128 : 512;
const JOURNAL_RECORDS = QUICK ? 20_000 : 100_000;
const LATENCY_SAMPLES = QUICK ? 200 : 500;

interface Proc {
  child: ChildProcess;
  url: string;
}

function startProcess(args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`process exited (${code}): ${out}`)));
  });
}

async function stopProcess(p: Proc): Promise<void> {
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await exited;
}

const TRIVIAL_SERVER = `
  const http = require('node:http');
  const fs = require('node:fs/promises');
  const path = require('node:path');
  let n = 0;
  const s = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/fsync') {
        // Same durability work as the block store: write, fsync, close.
        const fh = await fs.open(path.join(process.env.BENCH_DIR, 'u' + n++), 'w');
        await fh.write(body);
        await fh.sync();
        await fh.close();
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ size: body.length }));
    });
  });
  s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
`;

interface Client {
  pool: Pool;
  token: string;
  ns: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire bodies, read field by field
async function json(pool: Pool, method: 'GET' | 'POST' | 'PUT', p: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await pool.request({
    method,
    path: p,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.body.text();
  return { status: r.statusCode, body: text ? JSON.parse(text) : null };
}

async function putRaw(pool: Pool, p: string, token: string | null, data: Buffer): Promise<number> {
  const r = await pool.request({
    method: 'PUT',
    path: p,
    headers: { 'content-type': 'application/octet-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: data,
  });
  await r.body.dump();
  return r.statusCode;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Runs `total` jobs over `CLIENTS` workers; returns elapsed seconds. */
async function parallel(total: number, job: (client: number, i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = next++; i < total; i = next++) await job(c, i);
    }),
  );
  return (performance.now() - t0) / 1000;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-bench-'));
  const server = await startProcess(
    [path.join(ROOT, 'bin/cairn-server.js'), '--data', dataDir, '--listen', '127.0.0.1:0', '--log-level', 'warn'],
    /^listening on (http:\/\/\S+)\n/mu,
  );
  const plainDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-bench-plain-'));
  const trivial = await startProcess(['-e', TRIVIAL_SERVER], /^listening on (http:\/\/\S+)\n/mu, { BENCH_DIR: plainDir, UV_THREADPOOL_SIZE: '16' }); // same pool size as the CLI server
  const rows: [string, string][] = [];
  try {
    const pool = new Pool(server.url, { connections: CLIENTS, pipelining: 1 });
    const clients: Client[] = [];
    for (let c = 0; c < CLIENTS; c++) {
      const r = await json(pool, 'POST', '/api/v1/auth/signup', null, {
        email: `bench${c}-${process.pid}@example.com`,
        password: 'benchmark-password',
        device_name: `bench-${c}`,
      });
      if (r.status !== 201) throw new Error(`signup: ${r.status} ${JSON.stringify(r.body)}`);
      clients.push({ pool, token: r.body.token, ns: r.body.home_ns });
    }
    // One small block per client, reused by every file (commit cost only).
    const small = clients.map((_, c) => Buffer.from(`small file content of client ${c}`));
    for (let c = 0; c < CLIENTS; c++) {
      if ((await putRaw(pool, `/api/v1/blocks/${sha(small[c]!)}`, clients[c]!.token, small[c]!)) !== 201) throw new Error('put');
    }
    const commitBody = (c: number, p: string) => ({ path: p, parent_rev: null, blocks: [sha(small[c]!)], size: small[c]!.length, mtime: 1 });

    // 1. single-file commits
    const t1 = await parallel(SINGLE_COMMITS, async (c, i) => {
      const cl = clients[c]!;
      const r = await json(pool, 'POST', `/api/v1/ns/${cl.ns}/commit`, cl.token, commitBody(c, `single/d${i % 50}/f${i}.txt`));
      if (r.status !== 200) throw new Error(`commit: ${r.status} ${JSON.stringify(r.body)}`);
    });
    rows.push(['single-file commits/s (16 clients)', (SINGLE_COMMITS / t1).toFixed(0)]);

    // 2. batch commits
    const batches = BATCH_FILES / BATCH_SIZE;
    const t2 = await parallel(batches, async (c, b) => {
      const cl = clients[c]!;
      const commits = Array.from({ length: BATCH_SIZE }, (_, k) => commitBody(c, `batch/b${b}/f${k}.txt`));
      const r = await json(pool, 'POST', `/api/v1/ns/${cl.ns}/commit_batch`, cl.token, { commits });
      if (r.status !== 200 || r.body.results.some((x: { ok: boolean }) => !x.ok)) throw new Error(`batch: ${r.status}`);
    });
    rows.push([`batch commits, files/s (batches of ${BATCH_SIZE})`, (BATCH_FILES / t2).toFixed(0)]);

    // 3. block upload vs plain HTTP upload of the same bytes
    const base = randomBytes(1 << 20);
    const blocks = Array.from({ length: UPLOAD_MIB }, (_, i) => {
      const b = Buffer.from(base);
      b.writeUInt32BE(i, 0);
      b.writeUInt32BE(process.pid, 4);
      return { data: b, hash: sha(b) };
    });
    const trivialPool = new Pool(trivial.url, { connections: CLIENTS, pipelining: 1 });
    const tPlain = await parallel(UPLOAD_MIB, async (_c, i) => {
      if ((await putRaw(trivialPool, '/upload', null, blocks[i]!.data)) !== 201) throw new Error('plain upload');
    });
    const tCairn = await parallel(UPLOAD_MIB, async (c, i) => {
      const b = blocks[i]!;
      const st = await putRaw(pool, `/api/v1/blocks/${b.hash}`, clients[c]!.token, b.data);
      if (st !== 201) throw new Error(`block upload: ${st}`);
    });
    const tFsync = await parallel(UPLOAD_MIB, async (_c, i) => {
      if ((await putRaw(trivialPool, '/fsync', null, blocks[i]!.data)) !== 201) throw new Error('fsync upload');
    });
    const mbFsync = (UPLOAD_MIB * 1.048576) / tFsync;
    const mbCairn = (UPLOAD_MIB * 1.048576) / tCairn;
    const mbPlain = (UPLOAD_MIB * 1.048576) / tPlain;
    rows.push(['block upload MB/s (1 MiB blocks, hashed + fsynced)', mbCairn.toFixed(0)]);
    rows.push(['plain HTTP upload MB/s (trivial node:http handler)', mbPlain.toFixed(0)]);
    rows.push(['block upload / plain upload', (mbCairn / mbPlain).toFixed(2)]);
    rows.push(['plain upload + write + fsync per request MB/s', mbFsync.toFixed(0)]);
    rows.push(['block upload / plain upload with fsync', (mbCairn / mbFsync).toFixed(2)]);
    await trivialPool.close();

    // 4. list-changes latency over a large journal (one namespace)
    const cl = clients[0]!;
    const seqNow = async () => (await json(pool, 'GET', `/api/v1/ns/${cl.ns}/snapshot?limit=1`, cl.token)).body.seq as number;
    const have = await seqNow();
    const need = Math.max(0, JOURNAL_RECORDS - have);
    const fillBatches = Math.ceil(need / 1000);
    const tFill = await parallel(fillBatches, async (_c, b) => {
      const commits = Array.from({ length: 1000 }, (_, k) => commitBody(0, `journal/j${b}/f${k}.txt`));
      const r = await json(pool, 'POST', `/api/v1/ns/${cl.ns}/commit_batch`, cl.token, { commits });
      if (r.status !== 200) throw new Error(`fill: ${r.status}`);
    });
    const total = await seqNow();
    const lat: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const at = Math.floor(Math.random() * Math.max(1, total - 500));
      const cursor = encodeCursor({ ns: { [cl.ns]: at } });
      const t0 = performance.now();
      const r = await json(pool, 'GET', `/api/v1/changes?cursor=${cursor}&limit=500`, cl.token);
      lat.push(performance.now() - t0);
      if (r.status !== 200 || r.body.changes.length === 0) throw new Error(`changes: ${r.status}`);
    }
    lat.sort((a, b) => a - b);
    rows.push([`journal filled to ${total} records (batch fill, files/s)`, (need / tFill).toFixed(0)]);
    rows.push(['list-changes p50 ms (limit 500)', pct(lat, 50).toFixed(1)]);
    rows.push(['list-changes p99 ms (limit 500)', pct(lat, 99).toFixed(1)]);
    await pool.close();
  } finally {
    await stopProcess(server);
    await stopProcess(trivial);
    await fs.rm(dataDir, { recursive: true, force: true });
    await fs.rm(plainDir, { recursive: true, force: true });
  }
  const w = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`\nCairn reference server benchmark${QUICK ? ' (--quick)' : ''}: ${CLIENTS} clients, loopback, ${os.cpus().length} cores\n\n`);
  process.stdout.write(`${'measure'.padEnd(w)} | value\n${'-'.repeat(w)}-|------\n`);
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)} | ${v}\n`);
}

await main();
