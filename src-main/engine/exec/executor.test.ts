import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { node } from '../model.ts';
import type { RemoteClient } from '../remote/client.ts';
import type { Chunker } from '../scan/chunker.ts';
import { IgnoreRules } from '../scan/ignore.ts';
import { StateDb } from '../state/db.ts';
import { Executor } from './executor.ts';

let root: string;
let db: StateDb;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'cairn-exec-'));
  db = new StateDb(':memory:');
});
afterEach(async () => {
  db.close();
  await rm(root, { recursive: true, force: true });
});

describe('Executor.aside', () => {
  it('forgets the merge-base inode before renaming (a crash in between is never read as a move)', async () => {
    const ex = new Executor({
      db,
      client: {} as RemoteClient,
      chunker: {} as Chunker,
      root,
      homeNs: 'ns',
      deviceName: 'dev',
      ignore: () => new IgnoreRules(),
      log: () => undefined,
      progress: () => undefined,
    });
    db.put('synced', node({ path: 'd', kind: 'folder', id: 'D', inode: 41 }));
    db.put('synced', node({ path: 'd/f', kind: 'file', id: 'F', rev: 'r', hash: 'h', inode: 42 }));
    // The rename fails (nothing on disk): the DB shows what a kill -9 right before it leaves.
    await expect(ex.aside('d', null)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(db.get('synced', 'd')?.inode).toBeNull();
    expect(db.get('synced', 'd/f')?.inode).toBeNull();
  });
});
