/* eslint-disable @typescript-eslint/no-explicit-any -- wire bodies are checked field by field in assertions */
/**
 * Test helpers for the reference server: a server in a temp data dir, a small typed client
 * over the route map, and a fingerprint of everything stored (to prove that refused input
 * changed nothing).
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { routes, type RouteName } from '../../src-shared/index.ts';
import { startServer, type RunningServer, type StartOptions } from '../../src-server/index.ts';

/** A started server with its temp dir; `stop()` closes it and removes the dir. */
export interface TestServer extends RunningServer {
  dataDir: string;
  stop(): Promise<void>;
}

/** Running test servers by data dir (so {@link unchanged} can let their uploads settle). */
const byDataDir = new Map<string, RunningServer>();

/** Starts a server on 127.0.0.1:0 in a fresh temp dir (logs silenced). */
export async function testServer(opts: Partial<StartOptions> = {}): Promise<TestServer> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-server-test-'));
  const s = await startServer({
    dataDir,
    port: 0,
    logLevel: 'silent',
    gcIntervalMs: 0,
    ...opts,
    // Tests sign up many accounts from one IP; rate-limit tests lower these explicitly.
    rateLimits: { signupPerIp: 100_000, loginPerIp: 100_000, loginPerEmail: 100_000, ...opts.rateLimits },
  });
  byDataDir.set(dataDir, s);
  return {
    ...s,
    dataDir,
    async stop() {
      byDataDir.delete(dataDir);
      await s.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A decoded HTTP answer. */
export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Raw request helper: JSON in/out unless `raw` bytes are given. */
export async function req(
  base: string,
  method: string,
  url: string,
  o: { token?: string | undefined; json?: unknown; raw?: Uint8Array | string; headers?: Record<string, string> } = {},
): Promise<Res> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body: BodyInit | undefined;
  if (o.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(o.json);
  } else if (o.raw !== undefined) {
    headers['content-type'] ??= 'application/octet-stream';
    body = o.raw as BodyInit;
  }
  const r = await fetch(base + url, { method, headers, body });
  const ct = r.headers.get('content-type') ?? '';
  const buf = Buffer.from(await r.arrayBuffer());
  const parsed = ct.includes('json') && buf.length > 0 ? JSON.parse(buf.toString('utf8')) : buf;
  return { status: r.status, body: parsed, headers: r.headers };
}

/** Calls a protocol route by name: fills `:params` and the query string from the route map. */
export async function call(
  base: string,
  name: RouteName,
  token: string | undefined,
  input: { params?: Record<string, string>; query?: Record<string, string | number | boolean | undefined>; body?: unknown } = {},
): Promise<Res> {
  const def = routes[name];
  let url: string = def.url;
  for (const [k, v] of Object.entries(input.params ?? {})) url = url.replace(`:${k}`, encodeURIComponent(v));
  const q = Object.entries(input.query ?? {}).filter(([, v]) => v !== undefined);
  if (q.length) url += `?${new URLSearchParams(q.map(([k, v]) => [k, String(v)])).toString()}`;
  if (def.bodyKind === 'binary') {
    return req(base, def.method, url, { token, raw: input.body as Uint8Array });
  }
  return req(base, def.method, url, { token, ...(input.body !== undefined ? { json: input.body } : {}) });
}

/** A signed-up account. */
export interface Acct {
  token: string;
  ns: string;
  accountId: string;
  deviceId: string;
  email: string;
}

let counter = 0;
/** Signs up a fresh account. */
export async function signup(base: string, email = `u${process.pid}-${++counter}@example.com`, device = 'dev'): Promise<Acct> {
  const r = await call(base, 'signup', undefined, { body: { email, password: 'password123', device_name: device } });
  if (r.status !== 201) throw new Error(`signup failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { token: r.body.token, ns: r.body.home_ns, accountId: r.body.account_id, deviceId: r.body.device_id, email };
}

/**
 * Sends `signal` to a child process and waits for its exit; resolves at once when it is already
 * gone. A child that died of a signal has `exitCode` null, so both fields are checked: checking
 * only `exitCode`, the wait for an 'exit' that already happened never ends.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await gone;
}

/** SHA-256 hex. */
export function sha(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Uploads blocks of `data` (split every `blockSize` bytes); returns their hashes. */
export async function upload(base: string, token: string, data: Uint8Array, blockSize = 1 << 20): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < data.length; i += blockSize) {
    const chunk = data.subarray(i, i + blockSize);
    const h = sha(chunk);
    const r = await call(base, 'putBlock', token, { params: { hash: h }, body: chunk });
    if (r.status !== 201) throw new Error(`put failed: ${r.status} ${JSON.stringify(r.body)}`);
    hashes.push(h);
  }
  return hashes;
}

/** Uploads `data` and commits it at `path`; returns the committed entry. */
export async function putFile(
  base: string,
  a: Acct,
  p: string,
  data: Uint8Array | string,
  parentRev: string | null = null,
  ns: string = a.ns,
): Promise<any> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const blocks = await upload(base, a.token, bytes);
  const r = await call(base, 'commit', a.token, {
    params: { ns },
    body: { path: p, parent_rev: parentRev, blocks, size: bytes.length, mtime: 1_700_000_000_000 },
  });
  if (r.status !== 200) throw new Error(`commit failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.entry;
}

/** Random bytes. */
export function rand(n: number): Buffer {
  return randomBytes(n);
}

/**
 * Fingerprint of everything stored in a data dir: every table's rows and the block files.
 * Equal fingerprints before and after a refused request prove it changed nothing.
 * (`devices.last_seen_at` is left out: authentication refreshes it by design.)
 */
export async function storedState(dataDir: string): Promise<unknown> {
  const db = new Database(path.join(dataDir, 'meta.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const tables = [
      'accounts',
      'namespaces',
      'namespace_members',
      'entries',
      'revisions',
      'revision_blocks',
      'blocks',
      'block_owners',
      'journal',
      'invitations',
      'links',
    ];
    const out: Record<string, unknown> = {};
    for (const t of tables) out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all();
    out.devices = db.prepare('SELECT id, account_id, name, token_hash, revoked_at FROM devices ORDER BY id').all();
    out.files = await listFiles(path.join(dataDir, 'blocks'));
    return out;
  } finally {
    db.close();
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

/** Asserts (by throwing) that `fn` leaves the stored state unchanged; returns fn's result. */
export async function unchanged<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  // Uploads answered earlier are made durable and recorded in the background: let them land
  // first, so that only `fn` can change the fingerprint.
  await byDataDir.get(dataDir)?.settle();
  const before = JSON.stringify(await storedState(dataDir));
  const result = await fn();
  const after = JSON.stringify(await storedState(dataDir));
  if (before !== after) throw new Error('stored state changed');
  return result;
}
