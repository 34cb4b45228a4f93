// Block durability (docs/decisions.md, block durability entry): a block upload is answered once
// its bytes are verified, and made durable off the request path; a commit naming it is answered
// only once it is. Here the real CLI server holds uploaded blocks staged (fault injection:
// CAIRN_FAULT_BLOCK_SYNC_DELAY_MS), a real engine uploads a file and waits in its commit, and the
// server is SIGKILLed in between: the staged blocks are gone after the restart, and the engine
// must notice (`block_missing` / `check`) and upload them again — nothing lost, `verify` clean.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Engine, link } from '../../src-main/engine/index.ts';
import { stopChild } from './helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/cairn-server.js');

/**
 * Starts the CLI server on `listen`; resolves with its URL once it printed its line. A restart
 * reuses the port the engines know, which the OS may have handed to another socket since the
 * kill (rare), so EADDRINUSE is retried a few times.
 */
async function startCli(
  dataDir: string,
  listen: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCliOnce(dataDir, listen, env);
    } catch (e) {
      if (listen.endsWith(':0') || attempt >= 5 || !String(e).includes('EADDRINUSE')) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

function startCliOnce(
  dataDir: string,
  listen: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, '--data', dataDir, '--listen', listen, '--log-level', 'warn'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...env },
      },
    );
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening on (http:\/\/\S+)\n/u.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    // 'close' comes after stderr has been read to the end.
    child.once('close', (code) => reject(new Error(`server exited early (${code}): ${out}\nstderr: ${err}`)));
  });
}

/** Polls `fn` every 20 ms until it returns a truthy value; throws `what` after `ms`. */
async function until<T>(
  what: string,
  ms: number,
  fn: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Bytes of block uploads the server answered (its Prometheus counter). */
async function uploadedBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^cairn_block_upload_bytes_total (\d+)/mu.exec(text)?.[1] ?? 0);
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  cleanup = [];
});

it('a server killed between block uploads and their commit loses the staged blocks; the client uploads them again and nothing is lost', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-crash-blocks-'));
  cleanup.push(() => fs.rm(tmp, { recursive: true, force: true }));
  const dataDir = path.join(tmp, 'server');
  // Blocks stay staged for a minute: the engine's commit waits on them until the kill.
  let srv = await startCli(dataDir, '127.0.0.1:0', { CAIRN_FAULT_BLOCK_SYNC_DELAY_MS: '60000' });
  const listen = new URL(srv.url).host;
  cleanup.push(() => stopChild(srv.child, 'SIGTERM'));
  const email = 'crash-blocks@example.com';
  const password = 'correct horse battery';
  const devs = ['A', 'B'].map((n) => ({
    home: path.join(tmp, `home-${n}`),
    folder: path.join(tmp, `folder-${n}`),
  }));
  await link(devs[0]!.home, { mode: 'signup', server: srv.url, email, password, device_name: 'A' });
  await link(devs[1]!.home, { mode: 'login', server: srv.url, email, password, device_name: 'B' });
  const [A, B] = devs.map((d) => new Engine({ home: d.home, folder: d.folder, pollMs: 60_000 })) as [
    Engine,
    Engine,
  ];
  cleanup.push(() => A.stop());
  cleanup.push(() => B.stop());
  await A.start();
  await B.start();
  expect(await A.waitIdle(30_000)).toBe(true);
  expect(await B.waitIdle(30_000)).toBe(true);

  // A file of several blocks (random bytes: FastCDC cuts ≈ 1 MiB blocks).
  const data = randomBytes(6 * 1024 * 1024 + 12_345);
  await fs.writeFile(path.join(devs[0]!.folder, 'big.bin'), data);
  // Every block upload answered…
  await until('block uploads answered', 30_000, async () => (await uploadedBytes(srv.url)) >= data.length);
  // …but none of them durable: nothing under its hash yet, all still staged, the file not committed.
  const staged = await fs.readdir(path.join(dataDir, 'blocks', 'tmp'));
  expect(staged.length).toBeGreaterThanOrEqual(4);
  const stored = (await fs.readdir(path.join(dataDir, 'blocks'))).filter((n) => n !== 'tmp');
  expect(stored).toEqual([]);
  const up0 = A.stats().bytes_up;
  expect(up0).toBeGreaterThanOrEqual(data.length);

  srv.child.kill('SIGKILL');
  await new Promise((r) => srv.child.once('exit', r));
  srv = await startCli(dataDir, listen);

  // A finds out its blocks are gone (its commit is refused or its check lists them) and sends them
  // again; B then gets the file byte for byte.
  const target = path.join(devs[1]!.folder, 'big.bin');
  await until('B holds the file A wrote', 60_000, async () => {
    const got = await fs.readFile(target).catch(() => null);
    return got !== null && got.equals(data);
  });
  expect(A.stats().bytes_up - up0).toBeGreaterThanOrEqual(data.length);
  expect(await A.waitIdle(30_000)).toBe(true);
  expect(await B.waitIdle(30_000)).toBe(true);
  expect(A.integrityCheck()).toEqual([]);

  // The store is consistent: every recorded block present and intact, reference counts right.
  await A.stop();
  await B.stop();
  await stopChild(srv.child, 'SIGTERM');
  const verify = spawnSync(process.execPath, [CLI, 'verify', '--json', '--data', dataDir], {
    encoding: 'utf8',
  });
  expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, missing: [], damaged: [] });
  expect(verify.status).toBe(0);
}, 120_000);
