// A batch upload is committed in groups (one per namespace). When a later group's request fails
// as a whole (here `forbidden`: the account lost access to a shared folder after the round was
// planned), the ops of groups already committed must not run again: run again, each meets its
// own new revision, and an edit made to it since is set aside as a spurious conflicted copy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Executor } from '../../src-main/engine/exec/executor.ts';
import { MountTable } from '../../src-main/engine/mounts.ts';
import { node } from '../../src-main/engine/model.ts';
import type { Op } from '../../src-main/engine/plan/planner.ts';
import { pull, saveMounts } from '../../src-main/engine/remote/pull.ts';
import { loadChunker } from '../../src-main/engine/scan/chunker.ts';
import { IgnoreRules } from '../../src-main/engine/scan/ignore.ts';
import { StateDb } from '../../src-main/engine/state/db.ts';
import { upload } from '../server/helpers.ts';
import { bareServer, type BareServer } from './helpers.ts';

let srv: BareServer;
beforeAll(async () => {
  srv = await bareServer('batch-groups');
});
afterAll(async () => {
  await srv.close();
});

describe('batch commit groups', () => {
  it('a later group failing does not re-run the ops of groups already committed (revisions counted on the server)', async () => {
    const a = await srv.account('A', 'batch-a@example.com');
    const other = await srv.account('O', 'batch-o@example.com');
    const ns = a.creds.home_ns;
    const root = path.join(srv.tmp, 'root-A');
    const db = new StateDb(path.join(srv.tmp, 'state-A.db'));
    try {
      await pull(a.client, db, ns);
      // The plan was made while S was a shared folder A could write to; access is gone now
      // (a namespace A is no member of answers `forbidden`, like one it was removed from).
      saveMounts(db, new MountTable(ns, [{ ns: other.creds.home_ns, path: 'S', role: 'editor' }]));
      await mkdir(path.join(root, 'S'), { recursive: true });
      const files = ['h1.txt', 'h2.txt', 'h3.txt', 'h4.txt', 'S/s1.txt', 'S/s2.txt', 'S/s3.txt', 'S/s4.txt'];
      const ops: Op[] = [];
      for (const f of files) {
        const body = `content of ${f}`;
        await writeFile(path.join(root, f), body);
        // Blocks already on the server: the batch sends no block, so its groups go out in op
        // order (home first, then S) — the order this test is about.
        await upload(srv.server.url, a.creds.token, Buffer.from(body));
        ops.push({ type: 'upload', path: f, parentRev: null, local: node({ path: f, kind: 'file', size: body.length }) });
      }
      const ex = new Executor({
        db,
        client: a.client,
        chunker: await loadChunker(),
        root,
        homeNs: ns,
        deviceName: 'A',
        ignore: () => new IgnoreRules(),
        // The user edits h1.txt right after it was committed.
        log: (p, action) => {
          if (p === 'h1.txt' && action === 'uploaded') writeFileSync(path.join(root, 'h1.txt'), 'edited after the commit');
        },
        progress: () => undefined,
      });
      const res = await ex.run(ops, () => false);
      expect(res.offline).toBe(false);
      expect(res.done).toBe(4);
      expect(res.failed.map((f) => [f.op.type === 'upload' ? f.op.path : '', f.error.code]).sort()).toEqual(files.slice(4).map((f) => [f, 'forbidden']));
      // No spurious conflicted copy: the edit is still h1.txt, to be uploaded by the next round.
      expect((await readdir(root)).filter((n) => n.includes('conflicted copy'))).toEqual([]);
      expect(await readFile(path.join(root, 'h1.txt'), 'utf8')).toBe('edited after the commit');
      for (const f of files.slice(0, 4)) {
        const revs = await a.client.call('revisions', { params: { ns }, query: { path: f } });
        expect(revs.revisions, f).toHaveLength(1);
      }
      const listed = await a.client.call('list', { params: { ns }, query: { path: '' } });
      expect(listed.entries.map((e) => e.path).sort()).toEqual(['h1.txt', 'h2.txt', 'h3.txt', 'h4.txt']);
    } finally {
      db.close();
      await a.client.close();
      await other.client.close();
    }
  });
});
