import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { CairnError } from '../../../src-shared/errors.ts';
import { contentHash } from '../../../src-shared/hash.ts';
import type { RemoteClient } from '../remote/client.ts';
import { buildFile } from './transfer.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-transfer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('buildFile', () => {
  it('a download whose block fetch fails leaves no temp file behind', async () => {
    const good = Buffer.from('first block');
    const hashes = [sha('first block'), sha('second block'), sha('third block')];
    let calls = 0;
    const client = {
      getBlock: async (h: string): Promise<Buffer> => {
        calls++;
        if (h === hashes[0]) return good;
        throw new CairnError('offline', 'server unreachable');
      },
    } as unknown as RemoteClient;
    let tmp = '';
    await expect(
      buildFile({ client, root: dir, abs: path.join(dir, 'f.bin'), blockHashes: hashes, expectHash: contentHash(hashes), findLocal: () => [], onTmp: (t) => (tmp = t) }),
    ).rejects.toMatchObject({ code: 'offline' });
    expect(calls).toBeGreaterThan(0);
    expect(tmp).not.toBe('');
    expect(await readdir(dir)).toEqual([]);
  });
});
