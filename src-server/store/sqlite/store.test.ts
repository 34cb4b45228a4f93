// Property test of the SQLite metadata store: random sequences of tree operations keep the
// tree invariants, and replaying the journal from seq 0 reproduces the snapshot — which is
// exactly what a client does (apply records; a folder move/delete applies to its subtree).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHUNK_PARAMS_V1, CairnError, encodeCursor, pathKey, type Change, type Entry } from '../../../src-shared/index.ts';
import { SqliteMetadataStore } from './store.ts';

const HASH = 'a'.repeat(64);
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-store-prop-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

// Prefix siblings (a, ab, a-b, a.b) sort between a folder and its children in byte order:
// subtree ranges and moves must not pick them up.
const NAMES = ['a', 'A', 'ab', 'a-b', 'a.b', 'b', 'c', 'é', 'e\u0301'];
// v1 block shape: every block but the last is at least the chunker's minimum size.
const BLOCK = CHUNK_PARAMS_V1.minSize;
const arbPath = fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));
const arbOp = fc.oneof(
  fc.record({ op: fc.constant('commit' as const), path: arbPath, size: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ op: fc.constant('mkdir' as const), path: arbPath }),
  fc.record({ op: fc.constant('move' as const), from: arbPath, to: arbPath }),
  fc.record({ op: fc.constant('delete' as const), path: arbPath }),
  fc.record({ op: fc.constant('undelete' as const), path: arbPath }),
);

/** Applies journal records the way a client does. */
function replay(changes: Change[]): Map<string, Entry> {
  const tree = new Map<string, Entry>();
  const under = (p: string) => [...tree.values()].filter((e) => e.path.startsWith(`${p}/`));
  for (const c of changes) {
    if (c.op === 'put' || c.op === 'mkdir') tree.set(c.entry.id, c.entry);
    else if (c.op === 'move') {
      for (const e of under(c.from!)) tree.set(e.id, { ...e, path: c.entry.path + e.path.slice(c.from!.length) });
      tree.set(c.entry.id, c.entry);
    } else {
      const old = tree.get(c.entry.id);
      for (const e of under(old?.path ?? c.entry.path)) tree.delete(e.id);
      tree.delete(c.entry.id);
    }
  }
  return tree;
}

it('keeps tree invariants and a replayable journal under random operations', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(arbOp, { minLength: 1, maxLength: 25 }), async (ops) => {
      const store = new SqliteMetadataStore(path.join(dir, `p${run++}.sqlite`));
      store.db.pragma('synchronous = OFF'); // durability is not under test here
      try {
        const acct = await store.createAccount({ email: `p${run}@x.y`, passwordHash: 'x', quotaBytes: 1e12, device: null, now: 1 });
        await store.recordBlock(acct.accountId, HASH, BLOCK, 1);
        const actor = { accountId: acct.accountId, deviceId: null, now: 1000 };
        const ns = acct.homeNs;
        for (const o of ops) {
          try {
            if (o.op === 'commit') {
              const cur = await store.meta(ns, o.path, false).catch(() => null);
              const blocks = Array.from({ length: o.size }, () => HASH);
              await store.commit(actor, ns, { path: o.path, parent_rev: cur?.rev ?? null, blocks, size: o.size * BLOCK, mtime: 5 });
            } else if (o.op === 'mkdir') await store.mkdir(actor, ns, o.path);
            else if (o.op === 'move') await store.move(actor, ns, o.from, o.to);
            else if (o.op === 'delete') await store.delete(actor, ns, o.path);
            else await store.undelete(actor, ns, o.path);
          } catch (err) {
            if (!(err instanceof CairnError)) throw err;
          }
        }
        const snap = await store.snapshot(ns, undefined, 10_000);
        const live = snap.entries;
        // Invariants: unique keys, NFC, parents are live folders whose path prefixes the child.
        const byPath = new Map(live.map((e) => [e.path, e]));
        expect(new Set(live.map((e) => pathKey(e.path))).size).toBe(live.length);
        for (const e of live) {
          expect(e.path).toBe(e.path.normalize('NFC'));
          const slash = e.path.lastIndexOf('/');
          if (slash > 0) expect(byPath.get(e.path.slice(0, slash))?.kind).toBe('folder');
        }
        const used = live.filter((e) => e.kind === 'file').reduce((s, e) => s + e.size, 0);
        expect((await store.account(acct.accountId)).used_bytes).toBe(used);
        // Journal replay from 0 equals the snapshot.
        const ch = await store.changes(acct.accountId, encodeCursor({ ns: { [ns]: 0 } }), 2000);
        expect(ch.has_more).toBe(false);
        const seqs = ch.changes.map((c) => c.seq);
        expect(seqs).toEqual(seqs.map((_, i) => i + 1));
        const replayed = [...replay(ch.changes).values()].map((e) => [e.id, e.path, e.rev]).sort();
        expect(replayed).toEqual(live.map((e) => [e.id, e.path, e.rev]).sort());
      } finally {
        await store.close();
      }
    }),
    { numRuns: 60 },
  );
});
