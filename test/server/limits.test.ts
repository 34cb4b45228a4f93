// Server limits and self-protection (review findings 2, 4, 6, 10, 12): hostile commits cost
// little and never block the event loop for long; stored paths never pass 4096 bytes; one
// server per data dir; verify is read-only while a server runs; a re-upload repairs a
// damaged block file.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataDir } from '../../src-server/data-dir.ts';
import { startServer } from '../../src-server/index.ts';
import { runVerify } from '../../src-server/ops/verify.ts';
import { CHUNK_PARAMS_V1, MAX_BLOCKS_PER_COMMIT, MAX_PATH_BYTES } from '../../src-shared/index.ts';
import { call, putFile, rand, signup, testServer, unchanged, upload, type TestServer } from './helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/cairn-server.js');

let s: TestServer;
let base: string;
beforeAll(async () => {
  s = await testServer({ quotaBytes: 1e15 });
  base = s.url;
});
afterAll(async () => {
  await s.stop();
});

/** Runs `fn` and returns its result with the longest event-loop stall seen meanwhile (ms). */
async function withLoopDelay<T>(fn: () => Promise<T>): Promise<{ result: T; maxMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  try {
    const result = await fn();
    return { result, maxMs: h.max / 1e6 };
  } finally {
    h.disable();
  }
}

describe('commit cost', () => {
  it('refuses more blocks than a v1 chunker can cut from the size, before any database work', async () => {
    const a = await signup(base);
    const [h] = await upload(base, a.token, Buffer.from('hi'));
    const blocks = Array<string>(MAX_BLOCKS_PER_COMMIT).fill(h!);
    const { result: r, maxMs } = await withLoopDelay(() =>
      unchanged(s.dataDir, () =>
        call(base, 'commit', a.token, {
          params: { ns: a.ns },
          body: { path: 'x', parent_rev: null, blocks, size: 2 * blocks.length, mtime: 1 },
        }),
      ),
    );
    expect([r.status, r.body.error.code, r.body.error.details]).toEqual([
      400,
      'bad_request',
      { blocks: MAX_BLOCKS_PER_COMMIT, max_blocks: 3 },
    ]);
    // Parsing and validating a 17 MB body is the only work left (generous bound for a busy CI box).
    expect(maxMs).toBeLessThan(3000);
  });

  it('commits a large legitimate block list (100k uses of one block) without a long stall', async () => {
    const a = await signup(base);
    const [h] = await upload(base, a.token, rand(CHUNK_PARAMS_V1.minSize));
    const n = 100_000;
    const blocks = Array<string>(n).fill(h!);
    const { result: r, maxMs } = await withLoopDelay(() =>
      call(base, 'commit', a.token, {
        params: { ns: a.ns },
        body: { path: 'big', parent_rev: null, blocks, size: n * CHUNK_PARAMS_V1.minSize, mtime: 1 },
      }),
    );
    expect(r.status).toBe(200);
    expect(r.body.entry.size).toBe(n * CHUNK_PARAMS_V1.minSize);
    expect(maxMs).toBeLessThan(3000);
    const ranged = await fetch(`${base}/api/v1/ns/${a.ns}/download?path=big`, {
      headers: { authorization: `Bearer ${a.token}`, range: `bytes=${n * CHUNK_PARAMS_V1.minSize - 3}-` },
    });
    expect(ranged.status).toBe(206);
  });
});

describe('stored path length', () => {
  const bytes = (p: string) => Buffer.byteLength(p);

  it('refuses a move whose rebased subtree would pass 4096 bytes, and allows one that fits', async () => {
    const a = await signup(base);
    const segs = ['m'];
    while (bytes(segs.join('/')) < MAX_PATH_BYTES - 6 - 201) segs.push('s'.repeat(200));
    segs.push('f'.repeat(MAX_PATH_BYTES - 6 - bytes(segs.join('/')) - 1)); // deep file at 4090 bytes
    const deep = segs.join('/');
    expect(bytes(deep)).toBe(MAX_PATH_BYTES - 6);
    await putFile(base, a, deep, 'x');
    const r = await unchanged(s.dataDir, () =>
      call(base, 'move', a.token, { params: { ns: a.ns }, body: { from: 'm', to: 'm'.repeat(8) } }),
    );
    expect([r.status, r.body.error.code]).toEqual([400, 'path_too_long']);
    const ok = await call(base, 'move', a.token, {
      params: { ns: a.ns },
      body: { from: 'm', to: 'm'.repeat(7) },
    });
    expect(ok.status).toBe(200);
    const m = await call(base, 'meta', a.token, {
      params: { ns: a.ns },
      query: { path: `${'m'.repeat(7)}${deep.slice(1)}` },
    });
    expect(bytes(m.body.entry.path)).toBe(MAX_PATH_BYTES);
  });

  // `ı` (2 bytes) and `i` (1 byte) share a path key: the stored folder's casing wins.
  const dotless = 'ı'.repeat(127);
  const plain = 'i'.repeat(127);

  it('re-checks the final path once an existing folder casing is adopted (commit, mkdir)', async () => {
    const a = await signup(base);
    const chain = Array<string>(16).fill(dotless).join('/'); // 4079 bytes
    expect((await call(base, 'mkdir', a.token, { params: { ns: a.ns }, body: { path: chain } })).status).toBe(
      200,
    );
    const asked = `${Array<string>(16).fill(plain).join('/')}/${'x'.repeat(30)}`; // 2078 bytes as sent
    const blocks = await upload(base, a.token, Buffer.from('data'));
    const c = await unchanged(s.dataDir, () =>
      call(base, 'commit', a.token, {
        params: { ns: a.ns },
        body: { path: asked, parent_rev: null, blocks, size: 4, mtime: 1 },
      }),
    );
    expect([c.status, c.body.error.code]).toEqual([400, 'path_too_long']);
    const d = await unchanged(s.dataDir, () =>
      call(base, 'mkdir', a.token, { params: { ns: a.ns }, body: { path: asked } }),
    );
    expect([d.status, d.body.error.code]).toEqual([400, 'path_too_long']);
  });

  it('refuses an undelete whose live parents have a longer casing than the deleted path', async () => {
    const a = await signup(base);
    const segs = [plain];
    while (bytes(segs.join('/')) < 3800) segs.push('y'.repeat(200));
    segs.push('z'.repeat(4000 - bytes(segs.join('/')) - 1));
    const file = segs.join('/'); // 4000 bytes; 4127 under the dotless casing
    await putFile(base, a, file, 'x');
    await call(base, 'delete', a.token, { params: { ns: a.ns }, body: { path: plain } });
    await call(base, 'mkdir', a.token, { params: { ns: a.ns }, body: { path: dotless } });
    const u = await unchanged(s.dataDir, () =>
      call(base, 'undelete', a.token, { params: { ns: a.ns }, body: { path: file } }),
    );
    expect([u.status, u.body.error.code]).toEqual([400, 'path_too_long']);
  });
});

describe('block repair', () => {
  it('a re-upload replaces a damaged block file, and verify is clean again', async () => {
    const t = await testServer();
    try {
      const a = await signup(t.url);
      const data = rand(5000);
      const e = await putFile(t.url, a, 'r.bin', data);
      const h = e.blocks[0] as string;
      const file = path.join(t.dataDir, 'blocks', h.slice(0, 2), h.slice(2, 4), h);
      await fs.writeFile(file, 'tampered');
      const put = await call(t.url, 'putBlock', a.token, { params: { hash: h }, body: data });
      expect(put.status).toBe(201);
      // The repair is stored under the hash once durable (a commit or check would wait for it).
      await t.settle();
      expect(Buffer.compare(await fs.readFile(file), data)).toBe(0);
      await t.close();
      const { store, blocks } = await openDataDir(t.dataDir);
      try {
        expect(await runVerify(store, blocks)).toMatchObject({ ok: true, damaged: [], missing: [] });
      } finally {
        await store.close();
      }
    } finally {
      await t.stop();
    }
  });
});

describe('one server per data dir', () => {
  it('refuses a second server (library and CLI) naming the pid; verify stays read-only while it runs', async () => {
    const t = await testServer();
    try {
      const a = await signup(t.url);
      await putFile(t.url, a, 'f', 'content');
      const second = startServer({ dataDir: t.dataDir, port: 0, logLevel: 'silent', gcIntervalMs: 0 });
      await expect(second).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringContaining(`pid ${process.pid}`),
      });
      const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
      const cli = run(['--data', t.dataDir, '--listen', '127.0.0.1:0', '--log-level', 'silent']);
      expect(cli.status).toBe(1);
      expect(cli.stderr).toContain(`pid ${process.pid}`);
      expect(run(['gc', '--data', t.dataDir]).status).toBe(1);
      const fix = run(['verify', '--fix', '--data', t.dataDir]);
      expect(fix.status).toBe(1);
      expect(fix.stderr).toContain(`pid ${process.pid}`);
      const verify = run(['verify', '--json', '--data', t.dataDir]);
      expect(verify.status).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, refcountDrift: 0, refcountFixed: 0 });
      // The first server is untouched and still serves.
      const dl = await call(t.url, 'download', a.token, { params: { ns: a.ns }, query: { path: 'f' } });
      expect(dl.body.toString()).toBe('content');
      await t.close();
      // Released at close: the dir can be served again.
      const again = await startServer({ dataDir: t.dataDir, port: 0, logLevel: 'silent', gcIntervalMs: 0 });
      await again.close();
    } finally {
      await t.stop();
    }
  });
});
