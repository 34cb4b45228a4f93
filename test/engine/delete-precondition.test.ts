// Edit versus delete at folder level (issue 4 behaviour 5): device A deletes a folder whose
// content device B edited after A's last pull. The server must refuse A's delete (the folder
// changed after the seq A's remote tree reflects), so B's edit survives and A re-plans.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Executor } from '../../src-main/engine/exec/executor.ts';
import { pull } from '../../src-main/engine/remote/pull.ts';
import type { Chunker } from '../../src-main/engine/scan/chunker.ts';
import { IgnoreRules } from '../../src-main/engine/scan/ignore.ts';
import { StateDb } from '../../src-main/engine/state/db.ts';
import { CairnError } from '../../src-shared/errors.ts';
import { upload } from '../server/helpers.ts';
import { bareServer, type BareServer } from './helpers.ts';

let srv: BareServer;
beforeAll(async () => {
  srv = await bareServer('delete-pre');
});
afterAll(async () => {
  await srv.close();
});

describe('folder delete precondition', () => {
  it('a folder delete planned on a stale remote tree fails with conflict and deletes nothing', async () => {
    const { creds, client } = await srv.account('A', 'pre@example.com');
    const ns = creds.home_ns;
    const server = srv.server;
    const tmp = srv.tmp;
    const db = new StateDb(path.join(tmp, 'state.db'));
    try {
      const v1 = await upload(server.url, creds.token, Buffer.from('v1'));
      const first = await client.call('commit', { params: { ns }, body: { path: 'X/f.txt', parent_rev: null, blocks: v1, size: 2, mtime: 1 } });
      await pull(client, db, ns);
      expect(db.get('remote', 'X/f.txt')?.rev).toBe(first.entry.rev);
      // Another device edits X/f.txt after our pull.
      const v2 = await upload(server.url, creds.token, Buffer.from('v2 by B'));
      await client.call('commit', { params: { ns }, body: { path: 'X/f.txt', parent_rev: first.entry.rev, blocks: v2, size: 7, mtime: 2 } });
      const ex = new Executor({ db, client, chunker: {} as Chunker, root: path.join(tmp, 'root'), homeNs: ns, deviceName: 'A', ignore: () => new IgnoreRules(), log: () => undefined, progress: () => undefined });
      const err = await ex.one({ type: 'deleteRemote', path: 'X', kind: 'folder', parentRev: null, files: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CairnError);
      expect((err as CairnError).code).toBe('conflict');
      const still = await client.call('meta', { params: { ns }, query: { path: 'X/f.txt' } });
      expect(still.entry.size).toBe(7);
      // Once the remote tree has caught up, the same delete goes through.
      await pull(client, db, ns);
      await ex.one({ type: 'deleteRemote', path: 'X', kind: 'folder', parentRev: null, files: 1 });
      const gone = await client.call('meta', { params: { ns }, query: { path: 'X' } }).catch((e: unknown) => e);
      expect((gone as CairnError).code).toBe('not_found');
    } finally {
      db.close();
      await client.close();
    }
  });
});
