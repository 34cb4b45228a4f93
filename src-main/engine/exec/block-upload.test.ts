// Block uploads against a fake server (unit tests only; the engine tests run the real one):
// each missing block once, back-pressure, failures that stop the early upload without losing
// anything, and the changed-file mapping.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { CairnError } from '../../../src-shared/errors.ts';
import type { RemoteClient } from '../remote/client.ts';
import { BlockUploader, EarlyUpload, putMissingBlocks, type UploadBlock } from './block-upload.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-block-upload-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** Writes `parts` one after another to a file; returns its path and its blocks. */
async function fileOf(parts: Buffer[]): Promise<{ abs: string; blocks: UploadBlock[] }> {
  const abs = path.join(dir, 'f');
  await writeFile(abs, Buffer.concat(parts));
  let offset = 0;
  const blocks = parts.map((p) => {
    const b = { offset, length: p.length, hash: sha(p) };
    offset += p.length;
    return b;
  });
  return { abs, blocks };
}

/**
 * A fake server (unit test only): `has` blocks already; records checks and PUTs (verifying each
 * body's hash as the real one does); a PUT stays open until `release()` when `hold` is set.
 */
function fakeServer(has: Set<string>, opts: { hold?: boolean; failCheck?: CairnError } = {}) {
  const checks: string[][] = [];
  const puts: string[] = [];
  let open = 0;
  let maxOpen = 0;
  let waiting: Array<() => void> = [];
  const client = {
    call: async (name: string, input: { body: { hashes: string[] } }) => {
      expect(name).toBe('checkBlocks');
      if (opts.failCheck) throw opts.failCheck;
      checks.push(input.body.hashes);
      return { missing: input.body.hashes.filter((h) => !has.has(h)) };
    },
    putBlock: async (h: string, data: Uint8Array): Promise<void> => {
      if (sha(Buffer.from(data)) !== h) throw new CairnError('block_hash_mismatch');
      open++;
      maxOpen = Math.max(maxOpen, open);
      if (opts.hold) await new Promise<void>((r) => waiting.push(r));
      open--;
      puts.push(h);
      has.add(h);
    },
  } as unknown as RemoteClient;
  return {
    client,
    checks,
    puts,
    maxOpen: () => maxOpen,
    open: () => open,
    release: () => {
      const w = waiting;
      waiting = [];
      for (const f of w) f();
    },
  };
}

describe('putMissingBlocks', () => {
  it('sends each missing block once; a hash mismatch at the server means the file changed', async () => {
    const [a, b] = [randomBytes(3000), randomBytes(2000)];
    const { abs, blocks } = await fileOf([a, b, a]);
    const srv = fakeServer(new Set());
    expect(await putMissingBlocks(srv.client, abs, blocks, new Set([sha(a), sha(b)]))).toBe(a.length + b.length);
    expect(srv.puts.sort()).toEqual([sha(a), sha(b)].sort());
    const refusing = {
      putBlock: async (): Promise<void> => {
        throw new CairnError('block_hash_mismatch');
      },
    } as unknown as RemoteClient;
    await expect(putMissingBlocks(refusing, abs, blocks, new Set([sha(b)]))).rejects.toMatchObject({ code: 'changed_during_read' });
  });

  it('a file shorter than its blocks is changed_during_read', async () => {
    const parts = [randomBytes(5000), randomBytes(5000)];
    const { abs, blocks } = await fileOf(parts);
    await truncate(abs, 7000);
    const srv = fakeServer(new Set());
    await expect(putMissingBlocks(srv.client, abs, blocks, new Set(blocks.map((b) => b.hash)))).rejects.toMatchObject({ code: 'changed_during_read' });
  });
});

describe('BlockUploader', () => {
  it('keeps at most `concurrency` PUTs open and makes add() wait while the queue is full', async () => {
    const parts = Array.from({ length: 12 }, (_, i) => randomBytes(1000 + ((i * 377) % 1000)));
    const { abs, blocks } = await fileOf(parts);
    const srv = fakeServer(new Set(), { hold: true });
    const up = new BlockUploader(srv.client, abs, 3);
    let added = 0;
    const producer = (async () => {
      for (const b of blocks) {
        await up.add(b);
        added++;
      }
    })();
    // Three PUTs open and three queued: the producer is held at the sixth add.
    await untilTrue(() => srv.open() === 3);
    await new Promise((r) => setImmediate(r));
    expect(added).toBeLessThan(blocks.length);
    expect(added).toBeLessThanOrEqual(6);
    while (srv.puts.length < blocks.length) {
      srv.release();
      await new Promise((r) => setImmediate(r));
    }
    await producer;
    expect(await up.finish()).toBe(parts.reduce((s, p) => s + p.length, 0));
    expect(srv.maxOpen()).toBe(3);
    expect(srv.puts.sort()).toEqual(blocks.map((b) => b.hash).sort());
  });
});

describe('EarlyUpload', () => {
  it('checks in batches behind the pushes and sends only what the server lacks, each once', async () => {
    const parts = Array.from({ length: 21 }, (_, i) => Buffer.from(`block ${i} `.repeat(100 + i)));
    const { abs, blocks } = await fileOf([...parts, parts[0] as Buffer]);
    const has = new Set([sha(parts[3] as Buffer), sha(parts[17] as Buffer)]);
    const srv = fakeServer(has);
    const early = await pushAll(new EarlyUpload(srv.client, abs, { concurrency: 2 }), blocks);
    expect(early.failed).toBe(false);
    // Batches of 8 distinct hashes in file order; the repeated first block is not asked again.
    expect(srv.checks.map((c) => c.length)).toEqual([8, 8, 5]);
    expect(srv.checks.flat()).toEqual(parts.map((p) => sha(p)));
    const want = parts.filter((_, i) => i !== 3 && i !== 17).map((p) => sha(p));
    expect(srv.puts.sort()).toEqual(want.sort());
    expect(early.sent).toBe(parts.filter((_, i) => i !== 3 && i !== 17).reduce((s, p) => s + p.length, 0));
  });

  it('a failing check stops it quietly: later pushes send nothing and end() resolves', async () => {
    const parts = Array.from({ length: 10 }, () => randomBytes(500));
    const { abs, blocks } = await fileOf(parts);
    const srv = fakeServer(new Set(), { failCheck: new CairnError('offline', 'server unreachable') });
    const early = await pushAll(new EarlyUpload(srv.client, abs), blocks);
    expect(early.failed).toBe(true);
    expect(srv.puts).toEqual([]);
  });

  it('a file that changed under it stops it quietly (the executor reports the change)', async () => {
    const parts = Array.from({ length: 4 }, () => randomBytes(4000));
    const { abs, blocks } = await fileOf(parts);
    await writeFile(abs, randomBytes(16000)); // same size, other bytes: every PUT mismatches
    const srv = fakeServer(new Set());
    const early = await pushAll(new EarlyUpload(srv.client, abs), blocks);
    expect(early.failed).toBe(true);
    expect(srv.puts).toEqual([]);
  });

  it('never holds up the hashing: every push and end return while the PUTs are still open', async () => {
    const parts = Array.from({ length: 30 }, (_, i) => Buffer.from(`held ${i} `.repeat(50 + i)));
    const { abs, blocks } = await fileOf(parts);
    const srv = fakeServer(new Set(), { hold: true });
    const early = new EarlyUpload(srv.client, abs, { concurrency: 2 });
    for (const b of blocks) await early.push(b);
    early.end();
    await untilTrue(() => srv.open() === 2);
    expect(srv.puts).toEqual([]);
    let settled = false;
    void early.settled.then(() => (settled = true));
    while (srv.puts.length < parts.length) {
      expect(settled).toBe(false);
      srv.release();
      await new Promise((r) => setImmediate(r));
    }
    await early.settled;
    expect(early.failed).toBe(false);
    expect(srv.maxOpen()).toBe(2);
    expect(srv.puts.sort()).toEqual(blocks.map((b) => b.hash).sort());
  });

  it('stops sending once stopped() says so (paused, stopping, offline)', async () => {
    const parts = Array.from({ length: 24 }, (_, i) => Buffer.from(`stop ${i} `.repeat(40 + i)));
    const { abs, blocks } = await fileOf(parts);
    const srv = fakeServer(new Set(), { hold: true });
    let stop = false;
    const early = new EarlyUpload(srv.client, abs, { concurrency: 2, stopped: () => stop });
    for (const b of blocks) await early.push(b);
    early.end();
    await untilTrue(() => srv.open() === 2);
    stop = true;
    // Release until it settles: a block already queued in the uploader may still open a PUT
    // after a release (its file read comes first), so "nothing open" is no sign of the end.
    let settled = false;
    void early.settled.then(() => (settled = true));
    while (!settled) {
      srv.release();
      await new Promise((r) => setImmediate(r));
    }
    expect(early.failed).toBe(true);
    // What was in flight or queued in the uploader when it stopped, nothing after.
    expect(srv.puts.length).toBeGreaterThanOrEqual(2);
    expect(srv.puts.length).toBeLessThanOrEqual(4);
    expect(srv.checks.length).toBe(1);
  });
});

/** Pushes every block into `early`, ends it and waits until it settled. */
async function pushAll(early: EarlyUpload, blocks: UploadBlock[]): Promise<EarlyUpload> {
  for (const b of blocks) await early.push(b);
  early.end();
  await early.settled;
  return early;
}

/** Waits (event-loop turns, at most 10 s) until `cond` holds. */
async function untilTrue(cond: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setImmediate(r));
  }
}
