// The local block store on a real folder: an upload is readable at once, stored under its hash
// only once durable; re-uploads share the pending durability or find the stored copy.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBlockStore } from './local-blocks.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
async function* chunks(b: Buffer, size = 64 * 1024): AsyncIterable<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
async function collect(r: AsyncIterable<unknown>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
}

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
  dirs = [];
  delete process.env.CAIRN_FAULT_BLOCK_SYNC_DELAY_MS;
});

async function store(syncDelayMs = 0): Promise<LocalBlockStore> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-blocks-'));
  dirs.push(root);
  if (syncDelayMs) process.env.CAIRN_FAULT_BLOCK_SYNC_DELAY_MS = String(syncDelayMs);
  const s = new LocalBlockStore(root);
  delete process.env.CAIRN_FAULT_BLOCK_SYNC_DELAY_MS;
  await s.init();
  return s;
}

describe('LocalBlockStore', () => {
  it('a shard folder that cannot be made fails that block only; once the obstacle is gone the next upload makes it', async () => {
    const s = await store();
    const data = randomBytes(300_000);
    const h = sha(data);
    // A file where the first-level shard folder must go: mkdir fails (EEXIST of a non-folder, then ENOTDIR).
    await fs.writeFile(path.join(s.root, h.slice(0, 2)), 'in the way');
    const first = await s.put(h, chunks(data), 4 * 1024 * 1024);
    await expect(first.durable).rejects.toMatchObject({ code: 'internal' });
    expect(await s.has(h)).toBe(false);
    await fs.rm(path.join(s.root, h.slice(0, 2)));
    const second = await s.put(h, chunks(data), 4 * 1024 * 1024);
    await second.durable;
    expect((await fs.readFile(s.pathOf(h))).equals(data)).toBe(true);
  });

  it('answers a put before the block is durable; it is stored under its hash only once durable', async () => {
    const s = await store(300);
    const data = randomBytes(3 * 1024 * 1024 + 7);
    const h = sha(data);
    const r = await s.put(h, chunks(data), 4 << 20);
    expect(r).toMatchObject({ size: data.length, created: true });
    expect(r.durable).not.toBeNull();
    // Staged: readable, but nothing under the hash yet.
    await expect(fs.stat(s.pathOf(h))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(s.stagedCount).toBe(1);
    expect(await s.has(h)).toBe(true);
    expect((await s.readAll(h)).equals(data)).toBe(true);
    expect((await collect(s.read(h, 5, 1000))).equals(data.subarray(5, 1000))).toBe(true);
    // A second upload of the same bytes shares the pending durability.
    const again = await s.put(h, chunks(data), 4 << 20);
    expect(again.created).toBe(false);
    expect(again.durable).toBe(r.durable);
    await r.durable;
    expect((await fs.readFile(s.pathOf(h))).equals(data)).toBe(true);
    expect(s.stagedCount).toBe(0);
    expect(await fs.readdir(path.join(s.root, 'tmp'))).toEqual([]);
    expect(await s.check(h)).toBe('ok');
    // Stored and durable: a re-upload verifies and discards its bytes.
    const third = await s.put(h, chunks(data), 4 << 20);
    expect(third).toEqual({ size: data.length, created: false, durable: null });
  });

  it('lends pooled buffers holding exactly a block (staged or stored); a released buffer is lent again', async () => {
    const s = await store(200);
    const a = randomBytes(300_000);
    const b = randomBytes(1000);
    const ra = await s.put(sha(a), chunks(a), 4 << 20);
    const l1 = await s.readLease(sha(a)); // staged
    expect(l1.data.equals(a)).toBe(true);
    await ra.durable;
    l1.release();
    l1.release(); // idempotent: the buffer is pooled once
    await (await s.put(sha(b), chunks(b), 4 << 20)).durable;
    const l2 = await s.readLease(sha(b)); // stored
    expect(l2.data.equals(b)).toBe(true);
    expect(l2.data.buffer).toBe(l1.data.buffer); // the same pooled memory, a shorter view
    const l3 = await s.readLease(sha(a));
    expect(l3.data.buffer).not.toBe(l2.data.buffer); // l2 is still lent
    expect(l3.data.equals(a)).toBe(true);
    await expect(s.readLease(sha(Buffer.from('absent')))).rejects.toThrow();
  });

  it('refuses wrong bytes and keeps nothing of them', async () => {
    const s = await store();
    const data = randomBytes(1000);
    await expect(s.put(sha(Buffer.from('other')), chunks(data), 4 << 20)).rejects.toMatchObject({ code: 'block_hash_mismatch' });
    await expect(s.put(sha(data), chunks(data), 10)).rejects.toMatchObject({ code: 'block_too_large' });
    expect(await fs.readdir(path.join(s.root, 'tmp'))).toEqual([]);
    expect(s.stagedCount).toBe(0);
  });

  it('replaces a damaged stored copy (wrong size) once the new bytes are durable', async () => {
    const s = await store();
    const data = randomBytes(5000);
    const h = sha(data);
    await (await s.put(h, chunks(data), 4 << 20)).durable;
    await fs.writeFile(s.pathOf(h), 'tampered');
    expect(await s.check(h)).toBe('damaged');
    const r = await s.put(h, chunks(data), 4 << 20);
    expect(r.created).toBe(true);
    await r.durable;
    expect(await s.check(h)).toBe('ok');
  });

  it('cleanTemp at start removes staged leftovers of a crash; drain waits for pending blocks', async () => {
    const s = await store(200);
    const data = randomBytes(2000);
    const h = sha(data);
    const r = await s.put(h, chunks(data), 4 << 20);
    let done = false;
    void r.durable!.then(() => (done = true));
    await s.drain();
    expect(done).toBe(true);
    // A leftover from a killed process: removed, never taken for a block.
    await fs.writeFile(path.join(s.root, 'tmp', `${'e'.repeat(64)}.abc`), 'partial');
    await s.cleanTemp();
    expect(await fs.readdir(path.join(s.root, 'tmp'))).toEqual([]);
    expect(await s.check(h)).toBe('ok');
  });
});
