import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, open, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { CairnError } from '../../../src-shared/errors.ts';
import { contentHash } from '../../../src-shared/hash.ts';
import type { RemoteClient } from '../remote/client.ts';
import type { BlockLocation } from '../state/db.ts';
import { buildFile } from './transfer.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-transfer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** Copies `b` into a buffer lent by `take`, as RemoteClient.getBlockInto does. */
function lend(b: Buffer, take: (n: number) => Buffer): Buffer {
  const out = take(b.length).subarray(0, b.length);
  b.copy(out);
  return out;
}

/** A fake server (unit test only) holding `blocks`, counting fetches. */
function fakeClient(
  blocks: Buffer[],
  onGet?: (h: string) => Promise<void>,
): RemoteClient & { gets: string[] } {
  const byHash = new Map(blocks.map((b) => [sha(b), b]));
  const gets: string[] = [];
  return {
    gets,
    getBlockInto: async (h: string, take: (n: number) => Buffer): Promise<Buffer> => {
      gets.push(h);
      await onGet?.(h);
      const b = byHash.get(h);
      if (!b) throw new CairnError('not_found');
      return lend(b, take);
    },
  } as unknown as RemoteClient & { gets: string[] };
}

/**
 * A local file `name` holding `parts` back to back, with an old mtime, and its block index
 * entries as the state DB gives them (with the local tree's record of its stat).
 */
async function localFile(
  name: string,
  parts: Buffer[],
  record: 'current' | 'stale' | 'racy' = 'current',
): Promise<Map<string, BlockLocation[]>> {
  const abs = path.join(dir, name);
  await writeFile(abs, Buffer.concat(parts));
  const old = new Date(Date.now() - 60_000);
  await utimes(abs, old, old);
  const st = await stat(abs);
  const file = {
    inode: st.ino,
    size: st.size,
    mtime: record === 'stale' ? st.mtimeMs - 1000 : st.mtimeMs,
    ctime: st.ctimeMs,
    hashedAt: record === 'racy' ? st.mtimeMs + 5 : Date.now(),
  };
  const index = new Map<string, BlockLocation[]>();
  let offset = 0;
  for (const p of parts) {
    index.set(sha(p), [...(index.get(sha(p)) ?? []), { path: name, offset, length: p.length, file }]);
    offset += p.length;
  }
  return index;
}

const build = (
  client: RemoteClient,
  hashes: string[],
  index: Map<string, BlockLocation[]>,
  target = 'out.bin',
  kernelCopy = true,
) =>
  buildFile({
    client,
    root: dir,
    abs: path.join(dir, target),
    blockHashes: hashes,
    expectHash: contentHash(hashes),
    findLocal: (h) => index.get(h) ?? [],
    kernelCopy,
  });

describe('buildFile', () => {
  it('a download whose block fetch fails leaves no temp file behind', async () => {
    const good = Buffer.from('first block');
    const hashes = [sha('first block'), sha('second block'), sha('third block')];
    let calls = 0;
    const client = {
      getBlockInto: async (h: string, take: (n: number) => Buffer): Promise<Buffer> => {
        calls++;
        if (h === hashes[0]) return lend(good, take);
        throw new CairnError('offline', 'server unreachable');
      },
    } as unknown as RemoteClient;
    let tmp = '';
    await expect(
      buildFile({
        client,
        root: dir,
        abs: path.join(dir, 'f.bin'),
        blockHashes: hashes,
        expectHash: contentHash(hashes),
        findLocal: () => [],
        onTmp: (t) => (tmp = t),
      }),
    ).rejects.toMatchObject({ code: 'offline' });
    expect(calls).toBeGreaterThan(0);
    expect(tmp).not.toBe('');
    expect(await readdir(dir)).toEqual([]);
  });

  for (const kernelCopy of [true, false]) it(`copies blocks of a local file that still matches its record without fetching or hashing them; repeats and new blocks land in order (${kernelCopy ? 'copy_file_range where available' : 'through a buffer'})`, async () => {
    const [a, b, c, n] = [randomBytes(3000), randomBytes(5000), randomBytes(700), randomBytes(1234)] as [
      Buffer,
      Buffer,
      Buffer,
      Buffer,
    ];
    const index = await localFile('old.bin', [a, b, c]);
    // Proof that the trusted copy is not hashed: the index claims block `n` lives in old.bin at
    // b's place, and the stat record vouches for old.bin — so b's bytes are copied for it.
    const lie = new Map(index);
    lie.set(sha(n), [{ ...(index.get(sha(b)) as BlockLocation[])[0]! }]);
    const client = fakeClient([n]);
    const hashes = [sha(a), sha(n), sha(c), sha(a)];
    const built = await build(client, hashes, lie, 'out.bin', kernelCopy);
    expect(client.gets).toEqual([]);
    expect(await readFile(built.tmp)).toEqual(Buffer.concat([a, b, c, a]));
    expect(built.reused).toBe(a.length * 2 + b.length + c.length);
    expect(built.blocks.map((x) => [x.offset, x.length])).toEqual([
      [0, a.length],
      [a.length, b.length],
      [a.length + b.length, c.length],
      [a.length + b.length + c.length, a.length],
    ]);
    // The honest index: a, c, a copied; n fetched from the server and verified.
    const honest = await build(client, hashes, index, 'out2.bin', kernelCopy);
    expect(client.gets).toEqual([sha(n)]);
    expect(await readFile(honest.tmp)).toEqual(Buffer.concat([a, n, c, a]));
    expect([honest.fetched, honest.reused]).toEqual([n.length, a.length * 2 + c.length]);
  });

  for (const record of ['stale', 'racy'] as const) {
    it(`hashes the bytes of a local file whose record is ${record}, and fetches what no longer matches`, async () => {
      const [a, b] = [randomBytes(4000), randomBytes(4000)];
      const index = await localFile('old.bin', [a, b], record);
      // The file changed in place since it was indexed (same size): block b is not there any more.
      const abs = path.join(dir, 'old.bin');
      const changed = Buffer.concat([a, randomBytes(4000)]);
      await writeFile(abs, changed);
      const client = fakeClient([a, b]);
      const built = await build(client, [sha(a), sha(b)], index);
      expect(await readFile(built.tmp)).toEqual(Buffer.concat([a, b]));
      expect(client.gets).toEqual([sha(b)]);
    });
  }

  it('a trusted local file that changes during the build fails it (changed_during_read) and leaves no temp file', async () => {
    const [a, b] = [randomBytes(3000), randomBytes(3000)];
    const index = await localFile('old.bin', [a]);
    // The server's block comes after the local one; serving it, the local file is appended to.
    const client = fakeClient([b], () => appendFile(path.join(dir, 'old.bin'), 'more'));
    await expect(build(client, [sha(a), sha(b)], index)).rejects.toMatchObject({
      code: 'changed_during_read',
    });
    expect((await readdir(dir)).filter((f) => f.startsWith('.cairn-tmp-'))).toEqual([]);
  });

  it('many fetched blocks arriving out of order land in order (receive buffers are reused only after their write)', async () => {
    // Sizes across the buffer classes (256 KiB … 4 MiB), repeats included.
    const sizes = [300_000, 1_000, 4 * 1024 * 1024, 700_000, 2_000_000, 10, 262_144, 1_500_000, 3_000_000, 5];
    const blocks = Array.from({ length: 40 }, (_, i) => randomBytes(sizes[i % sizes.length] as number));
    // Answers come back in a scrambled order: each fetch waits for the one released before it.
    // A fixed scramble (17 is coprime with 40): every answer arrives out of file order.
    const order = blocks.map((_, i) => (i * 17) % blocks.length);
    const gates = new Map(blocks.map((b) => [sha(b), Promise.withResolvers<void>()]));
    const client = fakeClient(blocks, async (h) => {
      const k = order.indexOf(blocks.findIndex((b) => sha(b) === h));
      if (k > 0) await gates.get(sha(blocks[order[k - 1] as number] as Buffer))?.promise;
      gates.get(h)?.resolve();
    });
    // A window of all blocks: every fetch is in flight at once, so order is decided by the gates;
    // buffers freed by in-order writes are taken by answers still to come.
    const hashes = blocks.map((b) => sha(b));
    const built = await buildFile({
      client,
      root: dir,
      abs: path.join(dir, 'many.bin'),
      blockHashes: hashes,
      expectHash: contentHash(hashes),
      findLocal: () => [],
      window: blocks.length,
      // Early write-back after every block: fdatasyncs overlap the writes (and the close waits).
      syncEvery: 1,
    });
    expect((await readFile(built.tmp)).equals(Buffer.concat(blocks))).toBe(true);
    expect(built.fetched).toBe(blocks.reduce((n, b) => n + b.length, 0));
  });

  it.runIf(process.platform === 'linux')('a write-back error of an early fdatasync fails the build (the final fsync would not see it) and leaves no temp file', async () => {
    const blocks = Array.from({ length: 6 }, (_, i) => randomBytes(100_000 + i));
    const hashes = blocks.map((b) => sha(b));
    const probe = await open(path.join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const real = proto.datasync;
    let calls = 0;
    proto.datasync = async function (this: unknown) {
      calls++;
      throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    };
    try {
      await expect(
        buildFile({
          client: fakeClient(blocks),
          root: dir,
          abs: path.join(dir, 'eio.bin'),
          blockHashes: hashes,
          expectHash: contentHash(hashes),
          findLocal: () => [],
          syncEvery: 1,
        }),
      ).rejects.toMatchObject({ code: 'EIO' });
    } finally {
      proto.datasync = real;
    }
    expect(calls).toBeGreaterThan(0);
    expect((await readdir(dir)).filter((n) => n !== 'probe')).toEqual([]);
  });

  it('refuses bytes from the server that do not hash to the block', async () => {
    const h = sha('right');
    const client = {
      getBlockInto: async (_h: string, take: (n: number) => Buffer) => lend(Buffer.from('wrong'), take),
    } as unknown as RemoteClient;
    await expect(build(client, [h], new Map())).rejects.toMatchObject({ code: 'block_hash_mismatch' });
    expect(await readdir(dir)).toEqual([]);
  });
});
