/* eslint-disable @typescript-eslint/no-explicit-any -- wire bodies are checked field by field in assertions */
// Files: commit, batch, mkdir, move, delete, undelete, revisions, restore, list, snapshot,
// meta, download — and every bad input, each asserting its code and that nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_PARAMS_V1, MAX_COMMIT_BODY_BYTES, contentHash, encodeCursor } from '../../src-shared/index.ts';
import { call, putFile, rand, sha, signup, testServer, unchanged, upload, type Acct, type TestServer } from './helpers.ts';

let s: TestServer;
let base: string;
beforeAll(async () => {
  s = await testServer({ quotaBytes: 1_000_000 });
  base = s.url;
});
afterAll(async () => {
  await s.stop();
});

const commitBody = (path: string, blocks: string[], size: number, parent_rev: string | null = null) => ({
  path,
  parent_rev,
  blocks,
  size,
  mtime: 1_700_000_000_000,
});

async function changesSince(a: Acct, seq: number) {
  const cursor = encodeCursor({ ns: { [a.ns]: seq } });
  const c = await call(base, 'changes', a.token, { query: { cursor } });
  return c.body.changes as any[];
}

const badPaths: [string, string][] = [
  ['../x', 'path_invalid'],
  ['a/../b', 'path_invalid'],
  ['/abs', 'path_invalid'],
  ['a\\b', 'path_invalid'],
  ['a\u0000b', 'path_invalid'],
  ['a\u0007b', 'path_invalid'],
  ['a//b', 'path_invalid'],
  ['', 'path_invalid'],
  ['n'.repeat(256), 'name_too_long'],
  [Array.from({ length: 20 }, () => 'd'.repeat(250)).join('/'), 'path_too_long'],
];

describe('commit', () => {
  it('creates a file with its missing parents (one mkdir record each, before the put)', async () => {
    const a = await signup(base);
    const e = await putFile(base, a, 'docs/2024/report.txt', 'hello');
    expect(e).toMatchObject({ path: 'docs/2024/report.txt', kind: 'file', size: 5, deleted: false, portable: true, seq: 3 });
    expect(e.content_hash).toBe(contentHash([sha(Buffer.from('hello'))]));
    const ch = await changesSince(a, 0);
    expect(ch.map((c) => [c.seq, c.op, c.entry.path])).toEqual([
      [1, 'mkdir', 'docs'],
      [2, 'mkdir', 'docs/2024'],
      [3, 'put', 'docs/2024/report.txt'],
    ]);
  });

  it('updates with the right parent_rev and answers 409 conflict with the current entry when stale', async () => {
    const a = await signup(base);
    const v1 = await putFile(base, a, 'f.txt', 'one');
    const v2 = await putFile(base, a, 'f.txt', 'two!', v1.rev);
    expect(v2.id).toBe(v1.id);
    expect(v2.rev).not.toBe(v1.rev);
    const blocks = await upload(base, a.token, Buffer.from('three'));
    const r = await unchanged(s.dataDir, () =>
      call(base, 'commit', a.token, { params: { ns: a.ns }, body: commitBody('f.txt', blocks, 5, v1.rev) }),
    );
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('conflict');
    expect(r.body.error.details.current.rev).toBe(v2.rev);
    const r2 = await unchanged(s.dataDir, () =>
      call(base, 'commit', a.token, { params: { ns: a.ns }, body: commitBody('f.txt', blocks, 5, null) }),
    );
    expect(r2.body.error.code).toBe('conflict');
    const r3 = await unchanged(s.dataDir, () =>
      call(base, 'commit', a.token, { params: { ns: a.ns }, body: commitBody('gone.txt', blocks, 5, v1.rev) }),
    );
    expect(r3.status).toBe(409);
    expect(r3.body.error.details.current).toBeNull();
  });

  it('stores NFC, flags Windows-only names non-portable, keeps the existing folder casing', async () => {
    const a = await signup(base);
    const e = await putFile(base, a, 'Cafe\u0301/aux.txt', 'x');
    expect(e.path).toBe('Caf\u00e9/aux.txt');
    expect(e.portable).toBe(false);
    const e2 = await putFile(base, a, 'CAFÉ/b.txt', 'y');
    expect(e2.path).toBe('Café/b.txt');
    const e3 = await putFile(base, a, 'trailing.', 'z');
    expect(e3.portable).toBe(false);
  });

  it.each(badPaths)('refuses path %j with %s and stores nothing', async (p, code) => {
    const a = await signup(base);
    const blocks = await upload(base, a.token, Buffer.from('data'));
    for (const route of ['commit', 'mkdir'] as const) {
      const body = route === 'commit' ? commitBody(p, blocks, 4) : { path: p };
      const r = await unchanged(s.dataDir, () => call(base, route, a.token, { params: { ns: a.ns }, body }));
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe(code);
    }
  });

  it('refuses a lone surrogate (it would be stored as U+FFFD and never match the client name)', async () => {
    const a = await signup(base);
    const blocks = await upload(base, a.token, Buffer.from('data'));
    for (const route of ['commit', 'mkdir'] as const) {
      const body = route === 'commit' ? commitBody('bad\ud800name', blocks, 4) : { path: 'x/\udc00' };
      const r = await unchanged(s.dataDir, () => call(base, route, a.token, { params: { ns: a.ns }, body }));
      expect([r.status, r.body.error.code]).toEqual([400, 'path_invalid']);
    }
  });

  it('refuses a commit body over 32 MiB with body_too_large', async () => {
    const a = await signup(base);
    const h = sha(Buffer.from('x'));
    // ~33 MiB of JSON: over MAX_COMMIT_BODY_BYTES before any schema check.
    const blocks = Array<string>(Math.ceil(MAX_COMMIT_BODY_BYTES / 67) + 1000).fill(h);
    const r = await unchanged(s.dataDir, () => call(base, 'commit', a.token, { params: { ns: a.ns }, body: commitBody('big', blocks, 1) }));
    expect([r.status, r.body.error.code]).toEqual([413, 'body_too_large']);
  });

  it('refuses a case-insensitive collision, a file as parent, and a commit over a folder', async () => {
    const a = await signup(base);
    await putFile(base, a, 'Readme.md', 'r');
    await putFile(base, a, 'dir/x', 'x');
    const blocks = await upload(base, a.token, Buffer.from('data'));
    const cases: [string, string][] = [
      ['README.MD', 'path_case_collision'],
      ['readme.md', 'path_case_collision'],
      ['Readme.md/child', 'parent_not_folder'],
      ['dir', 'path_exists'],
    ];
    for (const [p, code] of cases) {
      const r = await unchanged(s.dataDir, () => call(base, 'commit', a.token, { params: { ns: a.ns }, body: commitBody(p, blocks, 4) }));
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe(code);
    }
  });

  it('refuses blocks the account has not uploaded (even if another account has) and a wrong size', async () => {
    const a = await signup(base);
    const b = await signup(base);
    const data = rand(1000);
    const [h] = await upload(base, a.token, data);
    const r = await unchanged(s.dataDir, () => call(base, 'commit', b.token, { params: { ns: b.ns }, body: commitBody('x', [h!], 1000) }));
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('block_missing');
    expect(r.body.error.details.missing).toEqual([h]);
    const r2 = await unchanged(s.dataDir, () => call(base, 'commit', a.token, { params: { ns: a.ns }, body: commitBody('x', [h!], 999) }));
    expect(r2.body.error.code).toBe('size_mismatch');
  });

  it('refuses a commit over quota and changes nothing', async () => {
    const a = await signup(base); // quota 1 MB in this server
    await putFile(base, a, 'big1', rand(600_000));
    const blocks = await upload(base, a.token, rand(500_000));
    const r = await unchanged(s.dataDir, () => call(base, 'commit', a.token, { params: { ns: a.ns }, body: commitBody('big2', blocks, 500_000) }));
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('quota_exceeded');
    const acct = await call(base, 'account', a.token);
    expect(acct.body.used_bytes).toBe(600_000);
    expect(acct.body.quota_bytes).toBe(1_000_000);
  });

  it('refuses a restore or an undelete over quota and changes nothing', async () => {
    const a = await signup(base); // quota 1 MB in this server
    const v1 = await putFile(base, a, 'grow', rand(700_000));
    await putFile(base, a, 'grow', rand(10), v1.rev);
    await putFile(base, a, 'other', rand(400_000));
    const r = await unchanged(s.dataDir, () => call(base, 'restore', a.token, { params: { ns: a.ns }, body: { path: 'grow', rev: v1.rev } }));
    expect([r.status, r.body.error.code]).toEqual([403, 'quota_exceeded']);
    await call(base, 'delete', a.token, { params: { ns: a.ns }, body: { path: 'other' } });
    await putFile(base, a, 'filler', rand(800_000));
    const u = await unchanged(s.dataDir, () => call(base, 'undelete', a.token, { params: { ns: a.ns }, body: { path: 'other' } }));
    expect([u.status, u.body.error.code]).toEqual([403, 'quota_exceeded']);
  });

  it('refuses malformed bodies with bad_request and nothing stored', async () => {
    const a = await signup(base);
    const bodies = [
      { path: 'x' },
      { path: 'x', parent_rev: null, blocks: ['nothex'], size: 0, mtime: 0 },
      { path: 'x', parent_rev: null, blocks: [], size: -1, mtime: 0 },
      { path: 7, parent_rev: null, blocks: [], size: 0, mtime: 0 },
    ];
    for (const body of bodies) {
      const r = await unchanged(s.dataDir, () => call(base, 'commit', a.token, { params: { ns: a.ns }, body }));
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
    }
  });

  it('commits an empty file (no blocks)', async () => {
    const a = await signup(base);
    const r = await call(base, 'commit', a.token, { params: { ns: a.ns }, body: commitBody('empty', [], 0) });
    expect(r.status).toBe(200);
    expect(r.body.entry.content_hash).toBe(contentHash([]));
  });
});

// Every other route that takes a path refuses the same bad paths with the same codes.
const pathRoutes: [string, (a: Acct, p: string) => Promise<any>][] = [
  ['move (from)', (a, p) => call(base, 'move', a.token, { params: { ns: a.ns }, body: { from: p, to: 'ok' } })],
  ['move (to)', (a, p) => call(base, 'move', a.token, { params: { ns: a.ns }, body: { from: 'f.txt', to: p } })],
  ['delete', (a, p) => call(base, 'delete', a.token, { params: { ns: a.ns }, body: { path: p } })],
  ['undelete', (a, p) => call(base, 'undelete', a.token, { params: { ns: a.ns }, body: { path: p } })],
  ['restore', (a, p) => call(base, 'restore', a.token, { params: { ns: a.ns }, body: { path: p, rev: 'r' } })],
  ['meta', (a, p) => call(base, 'meta', a.token, { params: { ns: a.ns }, query: { path: p } })],
  ['list', (a, p) => call(base, 'list', a.token, { params: { ns: a.ns }, query: { path: p } })],
  ['download', (a, p) => call(base, 'download', a.token, { params: { ns: a.ns }, query: { path: p } })],
  ['revisions', (a, p) => call(base, 'revisions', a.token, { params: { ns: a.ns }, query: { path: p } })],
  ['listDeleted', (a, p) => call(base, 'listDeleted', a.token, { params: { ns: a.ns }, query: { path: p } })],
];
describe('bad paths on every path-taking route', () => {
  it.each(pathRoutes)('%s refuses every bad path with its code and changes nothing', async (name, send) => {
    const a = await signup(base);
    await putFile(base, a, 'f.txt', 'x');
    for (const [p, code] of badPaths) {
      // The empty path is the root: valid for the folder listings.
      if (p === '' && (name === 'list' || name === 'listDeleted')) continue;
      const r = await unchanged(s.dataDir, () => send(a, p));
      expect([name, p.slice(0, 20), r.status, r.body.error?.code]).toEqual([name, p.slice(0, 20), 400, code]);
    }
  });
});

describe('commit_batch', () => {
  it('commits items independently, in request order', async () => {
    const a = await signup(base);
    const blocks = await upload(base, a.token, Buffer.from('abc'));
    await putFile(base, a, 'taken', 'x');
    const r = await call(base, 'commitBatch', a.token, {
      params: { ns: a.ns },
      body: { commits: [commitBody('b/1', blocks, 3), commitBody('taken', blocks, 3), commitBody('../bad', blocks, 3), commitBody('b/2', blocks, 3)] },
    });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: any) => (x.ok ? x.entry.path : x.error.code))).toEqual(['b/1', 'conflict', 'path_invalid', 'b/2']);
    const ch = await changesSince(a, 0);
    // taken (mkdir none) + put taken, then mkdir b, put b/1, put b/2: seqs are dense (failed items leave no gap)
    expect(ch.map((c) => c.seq)).toEqual([1, 2, 3, 4]);
    expect(ch.map((c) => c.entry.path)).toEqual(['taken', 'b', 'b/1', 'b/2']);
  });

  it('refuses an empty batch', async () => {
    const a = await signup(base);
    const r = await unchanged(s.dataDir, () => call(base, 'commitBatch', a.token, { params: { ns: a.ns }, body: { commits: [] } }));
    expect(r.body.error.code).toBe('bad_request');
  });
});

describe('mkdir, move, delete, undelete', () => {
  it('mkdir creates parents, is idempotent, and refuses a file path', async () => {
    const a = await signup(base);
    const r = await call(base, 'mkdir', a.token, { params: { ns: a.ns }, body: { path: 'a/b/c' } });
    expect(r.body.entry).toMatchObject({ path: 'a/b/c', kind: 'folder', rev: null, seq: 3 });
    const again = await unchanged(s.dataDir, () => call(base, 'mkdir', a.token, { params: { ns: a.ns }, body: { path: 'a/b/c' } }));
    expect(again.body.entry.id).toBe(r.body.entry.id);
    await putFile(base, a, 'f', 'x');
    const bad = await unchanged(s.dataDir, () => call(base, 'mkdir', a.token, { params: { ns: a.ns }, body: { path: 'f' } }));
    expect(bad.body.error.code).toBe('path_exists');
    const bad2 = await unchanged(s.dataDir, () => call(base, 'mkdir', a.token, { params: { ns: a.ns }, body: { path: 'f/g' } }));
    expect(bad2.body.error.code).toBe('parent_not_folder');
  });

  it('moves a folder with its subtree as ONE journal record; ids stay', async () => {
    const a = await signup(base);
    const f1 = await putFile(base, a, 'src/a/1.txt', '1');
    const f2 = await putFile(base, a, 'src/2.txt', '2');
    const before = (await call(base, 'snapshot', a.token, { params: { ns: a.ns } })).body.seq;
    const r = await call(base, 'move', a.token, { params: { ns: a.ns }, body: { from: 'src', to: 'dst/moved' } });
    expect(r.status).toBe(200);
    expect(r.body.entry.path).toBe('dst/moved');
    const ch = await changesSince(a, before);
    expect(ch.map((c) => [c.op, c.entry.path, c.from])).toEqual([
      ['mkdir', 'dst', undefined],
      ['move', 'dst/moved', 'src'],
    ]);
    const m1 = await call(base, 'meta', a.token, { params: { ns: a.ns }, query: { path: 'dst/moved/a/1.txt' } });
    expect(m1.body.entry.id).toBe(f1.id);
    const m2 = await call(base, 'meta', a.token, { params: { ns: a.ns }, query: { path: 'dst/moved/2.txt' } });
    expect(m2.body.entry.id).toBe(f2.id);
    const old = await call(base, 'meta', a.token, { params: { ns: a.ns }, query: { path: 'src/2.txt' } });
    expect(old.body.error.code).toBe('not_found');
  });

  it('renames case-only, guards with parent_rev, and refuses bad moves without changes', async () => {
    const a = await signup(base);
    const f = await putFile(base, a, 'dir/file.txt', 'x');
    await putFile(base, a, 'other.txt', 'y');
    const cr = await call(base, 'move', a.token, { params: { ns: a.ns }, body: { from: 'dir/file.txt', to: 'dir/FILE.txt' } });
    expect(cr.body.entry.path).toBe('dir/FILE.txt');
    const bad: [unknown, string, number][] = [
      [{ from: 'dir', to: 'dir/sub' }, 'move_into_self', 409],
      [{ from: 'nope', to: 'x' }, 'not_found', 404],
      [{ from: 'dir/FILE.txt', to: 'other.txt' }, 'path_exists', 409],
      [{ from: 'dir/FILE.txt', to: 'OTHER.txt' }, 'path_case_collision', 409],
      [{ from: 'dir/FILE.txt', to: 'z.txt', parent_rev: 'stale' }, 'conflict', 409],
      [{ from: 'dir/FILE.txt', to: 'other.txt/x' }, 'parent_not_folder', 409],
      [{ from: 'dir/FILE.txt', to: '../x' }, 'path_invalid', 400],
    ];
    for (const [body, code, status] of bad) {
      const r = await unchanged(s.dataDir, () => call(base, 'move', a.token, { params: { ns: a.ns }, body }));
      expect([r.status, r.body.error.code]).toEqual([status, code]);
    }
    const ok = await call(base, 'move', a.token, { params: { ns: a.ns }, body: { from: 'dir/FILE.txt', to: 'z.txt', parent_rev: cr.body.entry.rev } });
    expect(ok.body.entry).toMatchObject({ id: f.id, path: 'z.txt' });
  });

  it('deletes a folder with its subtree as one record, lists deleted, and undeletes it', async () => {
    const a = await signup(base);
    const f = await putFile(base, a, 'p/q/r.txt', 'abc');
    const before = (await call(base, 'snapshot', a.token, { params: { ns: a.ns } })).body.seq;
    const d = await call(base, 'delete', a.token, { params: { ns: a.ns }, body: { path: 'p' } });
    expect(d.body.entry).toMatchObject({ path: 'p', deleted: true });
    const ch = await changesSince(a, before);
    expect(ch.map((c) => [c.op, c.entry.path])).toEqual([['delete', 'p']]);
    expect((await call(base, 'account', a.token)).body.used_bytes).toBe(0);
    const gone = await call(base, 'meta', a.token, { params: { ns: a.ns }, query: { path: 'p/q/r.txt' } });
    expect(gone.body.error.code).toBe('not_found');
    const dm = await call(base, 'meta', a.token, { params: { ns: a.ns }, query: { path: 'p/q/r.txt', include_deleted: true } });
    expect(dm.body.entry.deleted).toBe(true);
    const ld = await call(base, 'listDeleted', a.token, { params: { ns: a.ns }, query: { limit: 2 } });
    expect(ld.body.entries).toHaveLength(2);
    expect(ld.body.next).not.toBeNull();
    const ld2 = await call(base, 'listDeleted', a.token, { params: { ns: a.ns }, query: { limit: 2, after: ld.body.next } });
    expect(ld2.body.entries).toHaveLength(1);
    expect(ld2.body.next).toBeNull();
    expect([...ld.body.entries, ...ld2.body.entries].map((e: any) => e.path).sort()).toEqual(['p', 'p/q', 'p/q/r.txt']);
    const under = await call(base, 'listDeleted', a.token, { params: { ns: a.ns }, query: { path: 'p' } });
    expect(under.body.entries.map((e: any) => e.path).sort()).toEqual(['p/q', 'p/q/r.txt']);
    const u = await call(base, 'undelete', a.token, { params: { ns: a.ns }, body: { path: 'p' } });
    expect(u.body.entry).toMatchObject({ path: 'p', deleted: false });
    const back = await call(base, 'meta', a.token, { params: { ns: a.ns }, query: { path: 'p/q/r.txt' } });
    expect(back.body.entry).toMatchObject({ id: f.id, rev: f.rev, deleted: false });
    expect((await call(base, 'account', a.token)).body.used_bytes).toBe(3);
    const again = await unchanged(s.dataDir, () => call(base, 'undelete', a.token, { params: { ns: a.ns }, body: { path: 'p' } }));
    expect(again.body.error.code).toBe('path_exists');
    const none = await unchanged(s.dataDir, () => call(base, 'undelete', a.token, { params: { ns: a.ns }, body: { path: 'never' } }));
    expect(none.body.error.code).toBe('not_found');
  });

  it('mkdir and undelete refuse another casing of a live name with path_case_collision', async () => {
    const a = await signup(base);
    await call(base, 'mkdir', a.token, { params: { ns: a.ns }, body: { path: 'Dir' } });
    const m = await unchanged(s.dataDir, () => call(base, 'mkdir', a.token, { params: { ns: a.ns }, body: { path: 'DIR' } }));
    expect([m.status, m.body.error.code, m.body.error.details.existing]).toEqual([409, 'path_case_collision', 'Dir']);
    await putFile(base, a, 'Notes.txt', 'old');
    await call(base, 'delete', a.token, { params: { ns: a.ns }, body: { path: 'Notes.txt' } });
    await putFile(base, a, 'NOTES.txt', 'new');
    const u = await unchanged(s.dataDir, () => call(base, 'undelete', a.token, { params: { ns: a.ns }, body: { path: 'Notes.txt' } }));
    expect([u.status, u.body.error.code, u.body.error.details.existing]).toEqual([409, 'path_case_collision', 'NOTES.txt']);
    const same = await unchanged(s.dataDir, () => call(base, 'undelete', a.token, { params: { ns: a.ns }, body: { path: 'NOTES.txt' } }));
    expect([same.status, same.body.error.code]).toEqual([409, 'path_exists']);
  });

  it('delete with a stale parent_rev is a conflict; a missing path is not_found', async () => {
    const a = await signup(base);
    await putFile(base, a, 'f', 'x');
    const r = await unchanged(s.dataDir, () => call(base, 'delete', a.token, { params: { ns: a.ns }, body: { path: 'f', parent_rev: 'oldrev' } }));
    expect(r.body.error.code).toBe('conflict');
    const r2 = await unchanged(s.dataDir, () => call(base, 'delete', a.token, { params: { ns: a.ns }, body: { path: 'nope' } }));
    expect(r2.body.error.code).toBe('not_found');
  });
});

describe('history, listing, download', () => {
  it('lists revisions newest first and restores an old one as a new revision', async () => {
    const a = await signup(base);
    const v1 = await putFile(base, a, 'h.txt', 'version one');
    const v2 = await putFile(base, a, 'h.txt', 'v2', v1.rev);
    const revs = await call(base, 'revisions', a.token, { params: { ns: a.ns }, query: { path: 'h.txt' } });
    expect(revs.body.revisions.map((r: any) => [r.rev, r.current])).toEqual([
      [v2.rev, true],
      [v1.rev, false],
    ]);
    const r = await call(base, 'restore', a.token, { params: { ns: a.ns }, body: { path: 'h.txt', rev: v1.rev } });
    expect(r.body.entry).toMatchObject({ id: v1.id, size: 11, content_hash: v1.content_hash });
    expect(r.body.entry.rev).not.toBe(v1.rev);
    const bad = await unchanged(s.dataDir, () => call(base, 'restore', a.token, { params: { ns: a.ns }, body: { path: 'h.txt', rev: 'nosuchrev' } }));
    expect(bad.body.error.code).toBe('not_found');
    const dl = await call(base, 'download', a.token, { params: { ns: a.ns }, query: { path: 'h.txt', rev: v2.rev } });
    expect(dl.body.toString()).toBe('v2');
  });

  it('lists a folder by name in pages, and snapshots a namespace by path', async () => {
    const a = await signup(base);
    for (const n of ['c', 'a', 'b', 'd']) await putFile(base, a, `dir/${n}`, n);
    const p1 = await call(base, 'list', a.token, { params: { ns: a.ns }, query: { path: 'dir', limit: 3 } });
    expect(p1.body.entries.map((e: any) => e.path)).toEqual(['dir/a', 'dir/b', 'dir/c']);
    const p2 = await call(base, 'list', a.token, { params: { ns: a.ns }, query: { path: 'dir', limit: 3, after: p1.body.next } });
    expect(p2.body.entries.map((e: any) => e.path)).toEqual(['dir/d']);
    expect(p2.body.next).toBeNull();
    const root = await call(base, 'list', a.token, { params: { ns: a.ns } });
    expect(root.body.entries.map((e: any) => e.path)).toEqual(['dir']);
    expect((await call(base, 'list', a.token, { params: { ns: a.ns }, query: { path: 'dir/a' } })).body.error.code).toBe('parent_not_folder');
    expect((await call(base, 'list', a.token, { params: { ns: a.ns }, query: { path: 'nope' } })).body.error.code).toBe('not_found');
    expect((await call(base, 'list', a.token, { params: { ns: a.ns }, query: { limit: 0 } })).body.error.code).toBe('bad_request');
    const snap = await call(base, 'snapshot', a.token, { params: { ns: a.ns }, query: { limit: 2 } });
    expect(snap.body.seq).toBe(5);
    expect(snap.body.entries.map((e: any) => e.path)).toEqual(['dir', 'dir/a']);
    const snap2 = await call(base, 'snapshot', a.token, { params: { ns: a.ns }, query: { after: snap.body.next } });
    expect(snap2.body.entries.map((e: any) => e.path)).toEqual(['dir/b', 'dir/c', 'dir/d']);
  });

  it('downloads multi-block files whole and by range (206, 416), ETag = content hash', async () => {
    const a = await signup(base);
    // Blocks of the v1 minimum size (every block but the last is at least that long).
    const data = rand(600_000);
    const blocks = await upload(base, a.token, data, CHUNK_PARAMS_V1.minSize);
    const c = await call(base, 'commit', a.token, { params: { ns: a.ns }, body: commitBody('big.bin', blocks, data.length) });
    const q = { path: 'big.bin' };
    const full = await call(base, 'download', a.token, { params: { ns: a.ns }, query: q });
    expect(full.status).toBe(200);
    expect(Buffer.compare(full.body, data)).toBe(0);
    expect(full.headers.get('etag')).toBe(`"${c.body.entry.content_hash}"`);
    const r = await fetch(`${base}/api/v1/ns/${a.ns}/download?path=big.bin`, {
      headers: { authorization: `Bearer ${a.token}`, range: 'bytes=262000-524999' },
    });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 262000-524999/${data.length}`);
    expect(Buffer.compare(Buffer.from(await r.arrayBuffer()), data.subarray(262000, 525000))).toBe(0);
    const r416 = await fetch(`${base}/api/v1/ns/${a.ns}/download?path=big.bin`, {
      headers: { authorization: `Bearer ${a.token}`, range: 'bytes=600000-' },
    });
    expect(r416.status).toBe(416);
    expect(((await r416.json()) as any).error.code).toBe('range_not_satisfiable');
    const nf = await call(base, 'download', a.token, { params: { ns: a.ns }, query: { path: 'nope' } });
    expect(nf.body.error.code).toBe('not_found');
  });
});

describe('namespace access', () => {
  it('answers forbidden for another account namespace and for one that does not exist', async () => {
    const a = await signup(base);
    const b = await signup(base);
    await putFile(base, a, 'secret.txt', 'top secret');
    for (const ns of [a.ns, 'doesNotExist0000']) {
      for (const [name, input] of [
        ['meta', { query: { path: 'secret.txt' } }],
        ['snapshot', {}],
        ['list', {}],
        ['download', { query: { path: 'secret.txt' } }],
        ['mkdir', { body: { path: 'x' } }],
        ['delete', { body: { path: 'secret.txt' } }],
      ] as const) {
        const r = await unchanged(s.dataDir, () => call(base, name, b.token, { params: { ns }, ...input }));
        expect([name, r.status, r.body.error.code]).toEqual([name, 403, 'forbidden']);
      }
    }
  });
});
