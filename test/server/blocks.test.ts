/* eslint-disable @typescript-eslint/no-explicit-any -- wire bodies are checked field by field in assertions */
// Blocks: check / put / get, dedup, proof of possession, and every bad upload.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BLOCK_BYTES } from '../../src-shared/index.ts';
import { call, putFile, rand, req, sha, signup, testServer, unchanged, upload, type TestServer } from './helpers.ts';

let s: TestServer;
let base: string;
beforeAll(async () => {
  s = await testServer();
  base = s.url;
});
afterAll(async () => {
  await s.stop();
});

describe('blocks', () => {
  it('check lists what this account must upload; put stores once across accounts; get serves it', async () => {
    const a = await signup(base);
    const b = await signup(base);
    const data = rand(5000);
    const h = sha(data);
    const other = sha(Buffer.from('never uploaded'));
    expect((await call(base, 'checkBlocks', a.token, { body: { hashes: [h, other, h] } })).body.missing).toEqual([h, other]);
    const put = await call(base, 'putBlock', a.token, { params: { hash: h }, body: data });
    expect([put.status, put.body]).toEqual([201, { hash: h, size: 5000 }]);
    expect((await call(base, 'checkBlocks', a.token, { body: { hashes: [h] } })).body.missing).toEqual([]);
    // Proof of possession: b does not have it even though the server does.
    expect((await call(base, 'checkBlocks', b.token, { body: { hashes: [h] } })).body.missing).toEqual([h]);
    const getB = await call(base, 'getBlock', b.token, { params: { hash: h } });
    expect([getB.status, getB.body.error.code]).toEqual([404, 'not_found']);
    const getA = await call(base, 'getBlock', a.token, { params: { hash: h } });
    expect(getA.status).toBe(200);
    expect(Buffer.compare(getA.body, data)).toBe(0);
    // b uploads the same bytes: ownership recorded, bytes stored once.
    await call(base, 'putBlock', b.token, { params: { hash: h }, body: data });
    expect((await call(base, 'checkBlocks', b.token, { body: { hashes: [h] } })).body.missing).toEqual([]);
    const file = path.join(s.dataDir, 'blocks', h.slice(0, 2), h.slice(2, 4), h);
    expect((await fs.stat(file)).size).toBe(5000);
    const tmp = await fs.readdir(path.join(s.dataDir, 'blocks', 'tmp'));
    expect(tmp).toEqual([]);
  });

  it('get serves a block to an account that can see a revision using it, not to others', async () => {
    const a = await signup(base);
    const c = await signup(base);
    const e = await putFile(base, a, 'f.bin', rand(100));
    expect((await call(base, 'getBlock', a.token, { params: { hash: e.blocks[0] } })).status).toBe(200);
    expect((await call(base, 'getBlock', c.token, { params: { hash: e.blocks[0] } })).status).toBe(404);
    const unknown = sha(Buffer.from('unknown'));
    expect((await call(base, 'getBlock', a.token, { params: { hash: unknown } })).body.error.code).toBe('not_found');
  });

  it('get serves a block to a member of a shared folder that uses it, though it never uploaded it', async () => {
    const a = await signup(base);
    const b = await signup(base);
    const data = rand(700);
    const e = await putFile(base, a, 'team/f.bin', data);
    const h = e.blocks[0] as string;
    // b has no copy of the block and no role yet: not_found, like any unknown block.
    expect((await call(base, 'checkBlocks', b.token, { body: { hashes: [h] } })).body.missing).toEqual([h]);
    expect((await call(base, 'getBlock', b.token, { params: { hash: h } })).status).toBe(404);
    const sh = await call(base, 'share', a.token, { params: { ns: a.ns }, body: { path: 'team', email: b.email, role: 'viewer' } });
    expect(sh.status).toBe(200);
    const acc = await call(base, 'acceptInvitation', b.token, { params: { id: sh.body.member.invitation_id }, body: {} });
    expect(acc.status).toBe(200);
    // Now b sees a revision using it (viewer role in the shared namespace) and may read it.
    const get = await call(base, 'getBlock', b.token, { params: { hash: h } });
    expect(get.status).toBe(200);
    expect(Buffer.compare(get.body, data)).toBe(0);
    // Reading is not possession: b still has to upload it to commit it elsewhere.
    expect((await call(base, 'checkBlocks', b.token, { body: { hashes: [h] } })).body.missing).toEqual([h]);
  });

  it('refuses bytes that do not match the hash, with nothing stored', async () => {
    const a = await signup(base);
    const data = rand(1000);
    const wrong = sha(Buffer.from('something else'));
    const r = await unchanged(s.dataDir, () => call(base, 'putBlock', a.token, { params: { hash: wrong }, body: data }));
    expect([r.status, r.body.error.code]).toEqual([400, 'block_hash_mismatch']);
    expect((await call(base, 'checkBlocks', a.token, { body: { hashes: [wrong] } })).body.missing).toEqual([wrong]);
  });

  it('refuses a block over the maximum size (declared or streamed), with nothing stored', async () => {
    const a = await signup(base);
    const big = rand(MAX_BLOCK_BYTES + 1);
    const h = sha(big);
    const r = await unchanged(s.dataDir, () => call(base, 'putBlock', a.token, { params: { hash: h }, body: big }));
    expect([r.status, r.body.error.code]).toEqual([413, 'block_too_large']);
    // Chunked upload without Content-Length: refused while streaming.
    const stream = new ReadableStream({
      start(ctl) {
        for (let i = 0; i < big.length; i += 1 << 20) ctl.enqueue(big.subarray(i, i + (1 << 20)));
        ctl.close();
      },
    });
    const r2 = await unchanged(s.dataDir, async () => {
      const res = await fetch(`${base}/api/v1/blocks/${h}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/octet-stream' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      return { status: res.status, body: (await res.json()) as any };
    });
    expect([r2.status, r2.body.error.code]).toEqual([413, 'block_too_large']);
  });

  it('refuses a wrong content type, a malformed hash and a missing token', async () => {
    const a = await signup(base);
    const data = Buffer.from('abc');
    const h = sha(data);
    const r = await unchanged(s.dataDir, () =>
      req(base, 'PUT', `/api/v1/blocks/${h}`, { token: a.token, raw: data, headers: { 'content-type': 'text/plain' } }),
    );
    expect([r.status, r.body.error.code]).toEqual([415, 'unsupported_media_type']);
    const r2 = await unchanged(s.dataDir, () => req(base, 'PUT', `/api/v1/blocks/${h}`, { token: a.token, json: { x: 1 } }));
    expect([r2.status, r2.body.error.code]).toEqual([415, 'unsupported_media_type']);
    const r3 = await unchanged(s.dataDir, () => req(base, 'PUT', '/api/v1/blocks/NOTAHASH', { token: a.token, raw: data }));
    expect([r3.status, r3.body.error.code]).toEqual([400, 'bad_request']);
    const r4 = await unchanged(s.dataDir, () => req(base, 'PUT', `/api/v1/blocks/${h}`, { raw: data }));
    expect([r4.status, r4.body.error.code]).toEqual([401, 'unauthorized']);
    const r5 = await unchanged(s.dataDir, () => call(base, 'checkBlocks', a.token, { body: { hashes: ['zz'] } }));
    expect([r5.status, r5.body.error.code]).toEqual([400, 'bad_request']);
  });

  it('uploads concurrently the same block from many requests without damage', async () => {
    const a = await signup(base);
    const data = rand(200_000);
    const results = await Promise.all(Array.from({ length: 8 }, () => upload(base, a.token, data)));
    expect(new Set(results.flat()).size).toBe(1);
    const get = await call(base, 'getBlock', a.token, { params: { hash: sha(data) } });
    expect(Buffer.compare(get.body, data)).toBe(0);
  });
});
