// A folder is shared while another device of the owner is about to upload into it: that
// device's plan still names the home path. The server refuses the write (`mount_point`), the
// executor reports it as "the world moved" (no retries, re-plan), and after the next pull the
// same upload goes into the shared namespace — nothing lost, nothing written twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Executor } from '../../src-main/engine/exec/executor.ts';
import { node } from '../../src-main/engine/model.ts';
import { loadMounts, pull } from '../../src-main/engine/remote/pull.ts';
import { loadChunker } from '../../src-main/engine/scan/chunker.ts';
import { IgnoreRules } from '../../src-main/engine/scan/ignore.ts';
import { StateDb } from '../../src-main/engine/state/db.ts';
import { bareServer, type BareServer } from '../engine/helpers.ts';

let srv: BareServer;
beforeAll(async () => {
  srv = await bareServer('share-race');
});
afterAll(async () => {
  await srv.close();
});

describe('sharing races an upload', () => {
  it('a write planned before the share is re-planned into the shared namespace', async () => {
    const { creds, client } = await srv.account('A2', 'race@example.com');
    const ns = creds.home_ns;
    const db = new StateDb(path.join(srv.tmp, 'state.db'));
    const root = path.join(srv.tmp, 'root');
    try {
      await client.call('mkdir', { params: { ns }, body: { path: 'Team' } });
      await pull(client, db, ns);
      await mkdir(path.join(root, 'Team'), { recursive: true });
      await writeFile(path.join(root, 'Team/new.txt'), 'written on A2');
      // Device A1 shares Team now; A2 has not pulled since.
      const shared = await client.call('share', { params: { ns }, body: { path: 'Team', email: 'friend@example.com', role: 'editor' } });
      const ex = new Executor({ db, client, chunker: await loadChunker(), root, homeNs: ns, deviceName: 'A2', ignore: () => new IgnoreRules(), log: () => undefined, progress: () => undefined });
      const op = { type: 'upload' as const, path: 'Team/new.txt', parentRev: null, local: node({ path: 'Team/new.txt', kind: 'file' }) };
      const first = await ex.run([op], () => false);
      expect(first.failed.map((f) => f.error.code)).toEqual(['mount_point']);
      await pull(client, db, ns);
      expect(loadMounts(db, ns).mountAt('Team')).toMatchObject({ ns: shared.ns, role: 'owner' });
      const second = await ex.run([op], () => false);
      expect(second.failed).toEqual([]);
      const inShared = await client.call('meta', { params: { ns: shared.ns }, query: { path: 'new.txt' } });
      expect(inShared.entry.size).toBe('written on A2'.length);
      // The remote tree holds it at its view path, in the shared namespace.
      expect(db.get('remote', 'Team/new.txt')).toMatchObject({ ns: shared.ns, id: inShared.entry.id });
    } finally {
      db.close();
      await client.close();
    }
  });
});
