// Group commit when SQLite drops the whole transaction: callers hear success only for what
// is committed, the others are re-run in a fresh transaction (review finding 1).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CHUNK_PARAMS_V1 } from '../../../src-shared/index.ts';
import { SqliteMetadataStore } from './store.ts';
import { TxQueue } from './txqueue.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-txqueue-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

it('re-runs the other items of a group SQLite rolled back, and refuses only the failing one', async () => {
  const db = new Database(path.join(dir, 'q.sqlite'));
  db.exec('CREATE TABLE t (v TEXT)');
  const groups: number[] = [];
  const q = new TxQueue(db, (body) => {
    groups.push(1);
    db.transaction(body)();
  });
  const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v).changes;
  // What SQLITE_FULL/IOERR do: the whole transaction is gone, then the statement fails.
  const drop = () => {
    db.exec('ROLLBACK');
    throw new Error('SQLITE_FULL (simulated)');
  };
  const results = await Promise.allSettled([
    q.enqueue(insert('before')),
    q.enqueue(drop),
    q.enqueue(insert('after1')),
    q.enqueue(insert('after2')),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/SQLITE_FULL/u);
  // Each committed exactly once (no autocommitted stragglers, no duplicates from the re-run).
  expect(db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual(['after1', 'after2', 'before']);
  expect(groups).toHaveLength(2);
  expect(db.inTransaction).toBe(false);
  // An item that keeps killing its group: bounded re-runs, then `unavailable` for the rest.
  const again = await Promise.allSettled([
    q.enqueue(drop),
    q.enqueue(drop),
    q.enqueue(drop),
    q.enqueue(insert('x')),
  ]);
  expect(again.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
  expect((again[3] as PromiseRejectedResult).reason.code).toBe('unavailable');
  expect(db.prepare("SELECT COUNT(*) FROM t WHERE v = 'x'").pluck().get()).toBe(0);
  db.close();
});

it('a commit that fills the disk (max_page_count) fails alone; the others of its group are durable', async () => {
  const file = path.join(dir, 'full.sqlite');
  const store = new SqliteMetadataStore(file);
  const acct = await store.createAccount({
    email: 'full@x.y',
    passwordHash: 'x',
    quotaBytes: 1e15,
    device: null,
    now: 1,
  });
  const small = 'a'.repeat(64);
  const big = 'b'.repeat(64);
  await store.recordBlock(acct.accountId, small, 10, 1);
  await store.recordBlock(acct.accountId, big, CHUNK_PARAMS_V1.minSize, 1);
  const actor = { accountId: acct.accountId, deviceId: null, now: 1000 };
  const ns = acct.homeNs;
  const pages = store.db.pragma('page_count', { simple: true }) as number;
  store.db.pragma(`max_page_count = ${pages + 20}`);
  const file1 = (p: string) => ({ path: p, parent_rev: null, blocks: [small], size: 10, mtime: 1 });
  const n = 3000; // ~3000 revision_blocks rows + a 200 KB block list: far over 20 pages
  const huge = {
    path: 'huge',
    parent_rev: null,
    blocks: Array(n).fill(big),
    size: n * CHUNK_PARAMS_V1.minSize,
    mtime: 1,
  };
  const results = await Promise.allSettled([
    store.commit(actor, ns, file1('before')),
    store.commit(actor, ns, huge),
    store.commit(actor, ns, file1('after1')),
    store.commit(actor, ns, file1('after2')),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  expect((results[1] as PromiseRejectedResult).reason.code).toBe('SQLITE_FULL');
  await store.close();
  // Reopened: exactly the acknowledged files, with a dense journal.
  const again = new SqliteMetadataStore(file);
  try {
    const snap = await again.snapshot(ns, undefined, 100);
    expect(snap.entries.map((e) => e.path).sort()).toEqual(['after1', 'after2', 'before']);
    expect(snap.seq).toBe(3);
    expect((await again.recount()).refcountDrift).toBe(0);
  } finally {
    await again.close();
  }
});

it('a throwing advance listener does not fail the committed write', async () => {
  const errors: string[] = [];
  const store = new SqliteMetadataStore(path.join(dir, 'l.sqlite'), {
    onAdvance: () => {
      throw new Error('listener bug');
    },
    onError: (err, what) => errors.push(`${what}: ${(err as Error).message}`),
  });
  try {
    const acct = await store.createAccount({
      email: 'l@x.y',
      passwordHash: 'x',
      quotaBytes: 1e9,
      device: null,
      now: 1,
    });
    const e = await store.mkdir({ accountId: acct.accountId, deviceId: null, now: 2 }, acct.homeNs, 'kept');
    expect(e.path).toBe('kept');
    expect(errors).toEqual(['advance listener failed: listener bug']);
    expect((await store.meta(acct.homeNs, 'kept', false)).id).toBe(e.id);
  } finally {
    await store.close();
  }
});

it('authenticate refreshes last_seen_at through the write queue, not with its own autocommit write', async () => {
  const store = new SqliteMetadataStore(path.join(dir, 'a.sqlite'));
  try {
    const acct = await store.createAccount({
      email: 'a@x.y',
      passwordHash: 'x',
      quotaBytes: 1e9,
      device: { name: 'd', tokenHash: 'h' },
      now: 1,
    });
    const seen = () =>
      store.db.prepare('SELECT last_seen_at FROM devices WHERE id = ?').pluck().get(acct.deviceId);
    const auth = await store.authenticate('h', 3_600_000);
    expect(auth?.deviceId).toBe(acct.deviceId);
    expect(seen()).toBe(1); // queued, not yet written
    await store.mkdir({ accountId: acct.accountId, deviceId: null, now: 2 }, acct.homeNs, 'x'); // next group
    expect(seen()).toBe(3_600_000);
  } finally {
    await store.close();
  }
});

it('a GC pass runs in bounded steps with other writes committed between them', async () => {
  const store = new SqliteMetadataStore(path.join(dir, 'gc.sqlite'));
  store.db.pragma('synchronous = OFF'); // durability is not under test here
  try {
    const acct = await store.createAccount({
      email: 'g@x.y',
      passwordHash: 'x',
      quotaBytes: 1e12,
      device: null,
      now: 1,
    });
    const hash = 'c'.repeat(64);
    await store.recordBlock(acct.accountId, hash, 5, 1);
    const actor = { accountId: acct.accountId, deviceId: null, now: 10 };
    const ns = acct.homeNs;
    for (let b = 0; b < 2; b++) {
      const reqs = Array.from({ length: 750 }, (_, i) => ({
        path: `d/${b}-${i}`,
        parent_rev: null,
        blocks: [hash],
        size: 5,
        mtime: 1,
      }));
      expect((await store.commitBatch(actor, ns, reqs)).every((r) => r.ok)).toBe(true);
    }
    await store.delete(actor, ns, 'd');
    const order: string[] = [];
    const gc = store.gc(1_000_000, 1000, 1000).then((r) => {
      order.push('gc');
      return r;
    });
    // Queued after the pass started: with one big transaction it would only run after it.
    const write = store.mkdir({ ...actor, now: 20 }, ns, 'meanwhile').then(() => order.push('write'));
    const [report] = await Promise.all([gc, write]);
    expect(order).toEqual(['write', 'gc']);
    expect(report).toMatchObject({ entriesPurged: 1501, revisionsPruned: 1500 });
    expect(report.blocksDeleted).toEqual([hash]);
    expect((await store.recount()).blocks).toEqual([]);
  } finally {
    await store.close();
  }
});

it('recount only reads unless asked to fix', async () => {
  const store = new SqliteMetadataStore(path.join(dir, 'rc.sqlite'));
  try {
    const acct = await store.createAccount({
      email: 'r@x.y',
      passwordHash: 'x',
      quotaBytes: 1e12,
      device: null,
      now: 1,
    });
    const hash = 'd'.repeat(64);
    const size = CHUNK_PARAMS_V1.minSize;
    await store.recordBlock(acct.accountId, hash, size, 1);
    await store.commit({ accountId: acct.accountId, deviceId: null, now: 2 }, acct.homeNs, {
      path: 'f',
      parent_rev: null,
      blocks: [hash, hash],
      size: 2 * size,
      mtime: 1,
    });
    const stored = () => store.db.prepare('SELECT refcount FROM blocks WHERE hash = ?').pluck().get(hash);
    expect(stored()).toBe(2);
    store.db.prepare('UPDATE blocks SET refcount = 7').run();
    expect(await store.recount()).toMatchObject({
      refcountDrift: 1,
      refcountFixed: 0,
      blocks: [{ hash, refcount: 2 }],
    });
    expect(stored()).toBe(7);
    expect(await store.recount(true)).toMatchObject({ refcountDrift: 1, refcountFixed: 1 });
    expect(stored()).toBe(2);
  } finally {
    await store.close();
  }
});
