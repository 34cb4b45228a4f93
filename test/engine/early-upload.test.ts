// Early upload (D40) against a real server: a large file's blocks reach the server while the
// scanner hashes it, the executor's upload then only commits, and no block is sent twice.
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EarlyUpload } from '../../src-main/engine/exec/block-upload.ts';
import { loadChunker } from '../../src-main/engine/scan/chunker.ts';
import { IgnoreRules } from '../../src-main/engine/scan/ignore.ts';
import { EARLY_UPLOAD_MIN_BYTES, scan } from '../../src-main/engine/scan/scanner.ts';
import { World, bareServer, type BareServer } from './helpers.ts';

const MiB = 1024 * 1024;

let bare: BareServer | null = null;
let world: World | null = null;
afterEach(async () => {
  await bare?.close();
  await world?.cleanup();
  bare = null;
  world = null;
});

describe('early upload', () => {
  it('the scan of a large file sends every block of it to the server, and nothing of a small one', async () => {
    bare = await bareServer('early');
    const { client } = await bare.account('A', 'early@example.com');
    const root = path.join(bare.tmp, 'root');
    await mkdir(root);
    await writeFile(path.join(root, 'big.bin'), randomBytes(EARLY_UPLOAD_MIN_BYTES + 3 * MiB));
    await writeFile(path.join(root, 'small.bin'), randomBytes(2 * MiB));
    const sinks = new Map<string, EarlyUpload>();
    const res = await scan({
      root,
      scopes: [''],
      prev: () => undefined,
      ignore: new IgnoreRules(),
      chunker: await loadChunker(),
      earlyUpload: (rel, abs) => {
        const s = new EarlyUpload(client, abs);
        sinks.set(rel, s);
        return s;
      },
    });
    expect([...sinks.keys()]).toEqual(['big.bin']);
    await sinks.get('big.bin')?.settled;
    const big = res.hashed.get('big.bin') ?? [];
    const small = res.hashed.get('small.bin') ?? [];
    expect(big.length).toBeGreaterThan(4);
    expect(sinks.get('big.bin')?.failed).toBe(false);
    expect(sinks.get('big.bin')?.sent).toBe(EARLY_UPLOAD_MIN_BYTES + 3 * MiB);
    const { missing } = await client.call('checkBlocks', { body: { hashes: [...big, ...small].map((b) => b.hash) } });
    expect(missing.sort()).toEqual(small.map((b) => b.hash).sort());
  });

  it('a large file syncs A → B with each block sent once', async () => {
    world = await World.create();
    const A = await world.device('A');
    const B = await world.device('B');
    const data = randomBytes(EARLY_UPLOAD_MIN_BYTES + 5 * MiB);
    const up0 = A.engine.stats().bytes_up;
    const early0 = A.engine.stats().bytes_up_early;
    // Written whole, then renamed in: a scan of a file still being written may send a block or
    // two of a version no commit will name, and this test counts bytes.
    await writeFile(path.join(world.tmp, 'big.staging'), data);
    await rename(path.join(world.tmp, 'big.staging'), path.join(A.folder, 'big.bin'));
    await world.settle(60_000);
    expect((await readFile(path.join(B.folder, 'big.bin'))).equals(data)).toBe(true);
    // Random bytes: every block is distinct, so the bytes sent are the file, once — all of them
    // while A was still hashing it (the executor's upload only committed).
    expect(A.engine.stats().bytes_up - up0).toBe(data.length);
    expect(A.engine.stats().bytes_up_early - early0).toBe(data.length);
  });
});
