import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src-server/index.ts';
import { link, readCredentials } from '../../src-main/engine/account.ts';
import { RemoteClient } from '../../src-main/engine/remote/client.ts';
import { pull } from '../../src-main/engine/remote/pull.ts';
import { StateDb } from '../../src-main/engine/state/db.ts';

// A compacted journal (horizon > 0) must cost one snapshot, not one per pull.
let tmp: string;
let server: RunningServer;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-pull-reset-'));
  server = await startServer({ dataDir: path.join(tmp, 'server'), port: 0, logLevel: 'silent', gcIntervalMs: 0, retentionMs: 1 });
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('pull after a reset', () => {
  it('continues from the snapshot seq: the next pull of a compacted journal does not snapshot again', async () => {
    const home = path.join(tmp, 'home');
    await link(home, { mode: 'signup', server: server.url, email: 'reset@example.com', password: 'correct horse battery', device_name: 'A' });
    const creds = readCredentials(home)!;
    const client = new RemoteClient({ server: creds.server, token: creds.token });
    const db = new StateDb(path.join(tmp, 'state.db'));
    try {
      for (const p of ['a', 'b', 'c']) await client.call('mkdir', { params: { ns: creds.home_ns }, body: { path: p } });
      // GC as of a minute from now: every record is past the (1 ms) retention, the horizon rises.
      const g = await server.gc(Date.now() + 60_000);
      expect(g.journalRecordsCompacted).toBeGreaterThan(0);
      let snapshots = 0;
      const real = client.call.bind(client) as (...a: unknown[]) => unknown;
      (client as unknown as { call: (...a: unknown[]) => unknown }).call = (...a: unknown[]) => {
        if (a[0] === 'snapshot') snapshots++;
        return real(...a);
      };
      const first = await pull(client, db, creds.home_ns);
      expect(first.reset).toBe(true);
      expect(snapshots).toBe(1);
      expect(db.get('remote', 'b')?.kind).toBe('folder');
      const second = await pull(client, db, creds.home_ns);
      expect(second.reset).toBe(false);
      expect(snapshots).toBe(1);
      // And it still sees new records after the snapshot.
      await client.call('mkdir', { params: { ns: creds.home_ns }, body: { path: 'd' } });
      await pull(client, db, creds.home_ns);
      expect(snapshots).toBe(1);
      expect(db.get('remote', 'd')?.kind).toBe('folder');
    } finally {
      db.close();
      await client.close();
    }
  });
});
