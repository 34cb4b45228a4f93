/* eslint-disable @typescript-eslint/no-explicit-any -- wire bodies are checked field by field in assertions */
// Operations: /healthz, /metrics, TLS, retention + GC, verify, and the admin CLI.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, fetch as ufetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import Database from 'better-sqlite3';
import { openDataDir } from '../../src-server/data-dir.ts';
import { runVerify } from '../../src-server/ops/verify.ts';
import { encodeCursor } from '../../src-shared/index.ts';
import { call, putFile, req, sha, signup, testServer, upload, type TestServer } from './helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/cairn-server.js');

let s: TestServer;
beforeAll(async () => {
  s = await testServer();
});
afterAll(async () => {
  await s.stop();
});

describe('health and metrics', () => {
  it('answers /healthz and exposes the required Prometheus series', async () => {
    expect((await req(s.url, 'GET', '/healthz')).body).toEqual({ ok: true });
    const a = await signup(s.url);
    const e = await putFile(s.url, a, 'm.bin', Buffer.alloc(1234, 7));
    await call(s.url, 'getBlock', a.token, { params: { hash: e.blocks[0] } });
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/api/v1/notify`, { headers: { authorization: `Bearer ${a.token}` } });
    await new Promise((r) => ws.once('message', r));
    const text = (await req(s.url, 'GET', '/metrics')).body.toString();
    expect(text).toMatch(/^cairn_block_upload_bytes_total 1234$/mu);
    expect(text).toMatch(/^cairn_block_download_bytes_total 1234$/mu);
    expect(text).toMatch(/^cairn_commits_total 1$/mu);
    expect(text).toMatch(/^cairn_ws_connections 1$/mu);
    ws.close();
  });
});

describe('TLS', () => {
  it('serves HTTPS with --tls-cert/--tls-key material', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const t = await testServer({ tls: { cert: await fs.readFile(cert), key: await fs.readFile(key) } });
    try {
      expect(t.url.startsWith('https://127.0.0.1:')).toBe(true);
      const agent = new Agent({ connect: { ca: await fs.readFile(cert, 'utf8'), rejectUnauthorized: false } });
      const r = await ufetch(`${t.url}/healthz`, { dispatcher: agent });
      expect(await r.json()).toEqual({ ok: true });
      await agent.close();
    } finally {
      await t.stop();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('retention, GC and verify', () => {
  it('prunes old revisions and deleted entries after retention, then their unreferenced blocks', async () => {
    const t = await testServer({ retentionMs: 20_000, graceMs: 30_000 });
    try {
      const a = await signup(t.url);
      const v1 = await putFile(t.url, a, 'keep.txt', 'version 1');
      const v2 = await putFile(t.url, a, 'keep.txt', 'version 2', v1.rev);
      const gone = await putFile(t.url, a, 'gone.txt', 'deleted soon');
      await call(t.url, 'delete', a.token, { params: { ns: a.ns }, body: { path: 'gone.txt' } });
      // An upload that never got committed, and a block file that was never recorded.
      const [loose] = await upload(t.url, a.token, Buffer.from('never committed'));
      const orphan = sha(Buffer.from('orphan'));
      const orphanDir = path.join(t.dataDir, 'blocks', orphan.slice(0, 2), orphan.slice(2, 4));
      await fs.mkdir(orphanDir, { recursive: true });
      await fs.writeFile(path.join(orphanDir, orphan), 'orphan');
      // Within retention and grace nothing goes.
      const early = await t.gc(Date.now());
      expect(early).toEqual({ revisionsPruned: 0, entriesPurged: 0, journalRecordsCompacted: 0, blocksDeleted: 0, orphanFilesDeleted: 0 });
      const r = await t.gc(Date.now() + 60_000);
      expect(r).toMatchObject({ revisionsPruned: 2, entriesPurged: 1, blocksDeleted: 3, orphanFilesDeleted: 1 });
      const revs = await call(t.url, 'revisions', a.token, { params: { ns: a.ns }, query: { path: 'keep.txt' } });
      expect(revs.body.revisions.map((x: any) => x.rev)).toEqual([v2.rev]);
      for (const h of [v1.blocks[0], gone.blocks[0], loose, orphan]) {
        await expect(fs.stat(path.join(t.dataDir, 'blocks', h.slice(0, 2), h.slice(2, 4), h))).rejects.toThrow();
      }
      const dl = await call(t.url, 'download', a.token, { params: { ns: a.ns }, query: { path: 'keep.txt' } });
      expect(dl.body.toString()).toBe('version 2');
    } finally {
      await t.stop();
    }
  });

  it('verify is clean on a healthy store and reports a damaged or missing block', async () => {
    const t = await testServer();
    try {
      const a = await signup(t.url);
      const e1 = await putFile(t.url, a, 'one', 'first file');
      const e2 = await putFile(t.url, a, 'two', 'second file');
      await t.close();
      const file = (h: string) => path.join(t.dataDir, 'blocks', h.slice(0, 2), h.slice(2, 4), h);
      let { store, blocks } = await openDataDir(t.dataDir);
      try {
        expect(await runVerify(store, blocks)).toMatchObject({ ok: true, blocks: 2, missing: [], damaged: [], database: [] });
      } finally {
        await store.close();
      }
      await fs.writeFile(file(e1.blocks[0]), 'tampered');
      await fs.rm(file(e2.blocks[0]));
      ({ store, blocks } = await openDataDir(t.dataDir));
      try {
        expect(await runVerify(store, blocks)).toMatchObject({ ok: false, damaged: [e1.blocks[0]], missing: [e2.blocks[0]] });
      } finally {
        await store.close();
      }
      const cli = spawnSync(process.execPath, [CLI, 'verify', '--json', '--data', t.dataDir], { encoding: 'utf8' });
      expect(cli.status).toBe(1);
      expect(JSON.parse(cli.stdout)).toMatchObject({ ok: false });
    } finally {
      await t.stop();
    }
  });

  it('verify reports refcount drift read-only; verify --fix (offline) repairs it', async () => {
    const t = await testServer();
    try {
      const a = await signup(t.url);
      const e = await putFile(t.url, a, 'f', 'counted');
      await t.close();
      const db = new Database(path.join(t.dataDir, 'meta.sqlite'));
      const stored = () => db.prepare('SELECT refcount FROM blocks WHERE hash = ?').pluck().get(e.blocks[0]);
      try {
        db.prepare('UPDATE blocks SET refcount = 0 WHERE hash = ?').run(e.blocks[0]);
        const run = (args: string[]) => spawnSync(process.execPath, [CLI, 'verify', '--json', ...args, '--data', t.dataDir], { encoding: 'utf8' });
        const ro = run([]);
        expect([ro.status, JSON.parse(ro.stdout)]).toMatchObject([1, { ok: false, refcountDrift: 1, refcountFixed: 0 }]);
        expect(stored()).toBe(0); // read-only
        const fix = run(['--fix']);
        expect([fix.status, JSON.parse(fix.stdout)]).toMatchObject([0, { ok: true, refcountDrift: 1, refcountFixed: 1 }]);
        expect(stored()).toBe(1);
      } finally {
        db.close();
      }
    } finally {
      await t.stop();
    }
  });
});

describe('admin CLI', () => {
  it('adds, lists and sets the quota of accounts offline; usage errors exit 2', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-cli-'));
    try {
      const run = (args: string[], input?: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input });
      const add = run(['user', 'add', '--email', 'Admin@Example.com', '--password-stdin', '--quota', '5000', '--data', dir], 'secret-password\n');
      expect(add.status).toBe(0);
      expect(run(['user', 'add', '--email', 'admin@example.com', '--password-stdin', '--data', dir], 'secret-password\n').status).toBe(1);
      expect(run(['user', 'add', '--email', 'x@y.z', '--password-stdin', '--data', dir], 'short\n').status).toBe(2);
      expect(run(['user', 'set-quota', '--email', 'admin@example.com', '--bytes', '9000', '--data', dir]).status).toBe(0);
      const list = run(['--data', dir, 'user', 'list', '--json']);
      expect(list.status).toBe(0);
      expect(JSON.parse(list.stdout)).toMatchObject([{ email: 'admin@example.com', quota_bytes: 9000, used_bytes: 0 }]);
      expect(run(['--no-such-flag']).status).toBe(2);
      expect(run(['user', 'set-quota', '--email', 'a@b.c', '--bytes', 'lots', '--data', dir]).status).toBe(2);
      // The account logs in through the server.
      const t = await testServer({ dataDir: dir });
      try {
        const li = await call(t.url, 'login', undefined, { body: { email: 'admin@example.com', password: 'secret-password', device_name: 'cli' } });
        expect(li.status).toBe(200);
      } finally {
        await t.close();
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI server lifecycle', () => {
  it('prints exactly one stdout line when ready, drains in-flight requests on SIGTERM, exits 0', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-sigterm-'));
    let proc: ReturnType<typeof spawn> | null = null;
    try {
      const child = spawn(process.execPath, [CLI, '--data', dir, '--listen', '127.0.0.1:0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = child;
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n$/u.exec(stdout);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const a = await signup(url);
      const snap = await call(url, 'snapshot', a.token, { params: { ns: a.ns } });
      const cursor = encodeCursor({ ns: { [a.ns]: snap.body.seq } });
      // An in-flight long-poll: shutdown must answer it, not cut it.
      const inflight = call(url, 'waitChanges', a.token, { query: { cursor, timeout_ms: 60_000 } });
      for (let i = 0; i < 200; i++) {
        // No event to await across processes: poll the gauge (bounded).
        const m = (await req(url, 'GET', '/metrics')).body.toString();
        if (/^cairn_longpoll_waiting 1$/mu.test(m)) break;
        if (i === 199) throw new Error('long-poll never started');
        await new Promise((r) => setTimeout(r, 25));
      }
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect((await inflight).body).toEqual({ changes: false });
      expect(await exited).toBe(0);
      expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);
      await expect(fs.stat(path.join(dir, 'server.pid'))).rejects.toThrow();
      // The database was closed cleanly: the WAL was checkpointed away.
      const wal = await fs.stat(path.join(dir, 'meta.sqlite-wal')).catch(() => null);
      expect(wal === null || wal.size === 0).toBe(true);
    } finally {
      if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
