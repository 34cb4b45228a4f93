/* eslint-disable @typescript-eslint/no-explicit-any -- wire bodies are checked field by field in assertions */
// Shared folders over HTTP with two accounts and three devices (A on two devices, B on one):
// share, accept, decline, edits both ways, viewer refused, role change, removal, leave,
// unshare, quota charged to the owner, nesting rules. Every refusal asserts its stable code
// and that nothing stored changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  call,
  putFile,
  signup,
  testServer,
  unchanged,
  upload,
  type Acct,
  type TestServer,
} from './helpers.ts';

let s: TestServer;
let base: string;
beforeAll(async () => {
  s = await testServer({ quotaBytes: 100_000 });
  base = s.url;
});
afterAll(async () => {
  await s.stop();
});

/** A second device of `a` (a log-in: a new token). */
async function secondDevice(a: Acct): Promise<Acct> {
  const r = await call(base, 'login', undefined, {
    body: { email: a.email, password: 'password123', device_name: 'dev2' },
  });
  expect(r.status).toBe(200);
  return { ...a, token: r.body.token, deviceId: r.body.device_id };
}

/** Every change visible to `a` (from a snapshot cursor: records after `cursor`). */
async function changesAfter(
  a: Acct,
  cursor: string,
): Promise<{ changes: any[]; cursor: string; reset_ns: string[] }> {
  const r = await call(base, 'changes', a.token, { query: { cursor, limit: 2000 } });
  expect(r.status).toBe(200);
  return r.body;
}

async function cursorNow(a: Acct): Promise<string> {
  const r = await call(base, 'changes', a.token);
  let cursor = r.body.cursor as string;
  // The first answer resets every namespace at 0: walk to the head.
  for (;;) {
    const n = await changesAfter(a, cursor);
    cursor = n.cursor;
    if (n.changes.length === 0) return cursor;
  }
}

async function snapshot(a: Acct, ns: string): Promise<any[]> {
  const r = await call(base, 'snapshot', a.token, { params: { ns } });
  expect(r.status).toBe(200);
  return r.body.entries;
}

async function share(a: Acct, ns: string, path: string, email: string, role: 'editor' | 'viewer' = 'editor') {
  return call(base, 'share', a.token, { params: { ns }, body: { path, email, role } });
}

/** Shares `path` of a's home with b and b accepts; returns the shared namespace id. */
async function shareAccepted(
  a: Acct,
  b: Acct,
  path: string,
  role: 'editor' | 'viewer' = 'editor',
  mountPath?: string,
): Promise<string> {
  const r = await share(a, a.ns, path, b.email, role);
  expect(r.status).toBe(200);
  const acc = await call(base, 'acceptInvitation', b.token, {
    params: { id: r.body.member.invitation_id },
    body: mountPath === undefined ? {} : { path: mountPath },
  });
  expect(acc.status).toBe(200);
  return r.body.ns;
}

function expectRefused(r: any, status: number, code: string) {
  expect([r.status, r.body.error?.code]).toEqual([status, code]);
}

describe('shared folders', () => {
  it('share moves the folder into a namespace (same ids, one mount record); accept mounts it; edits flow both ways', async () => {
    const a1 = await signup(base);
    const a2 = await secondDevice(a1);
    const b = await signup(base);
    const fa = await putFile(base, a1, 'Team/a.txt', 'alpha');
    const fb = await putFile(base, a1, 'Team/sub/b.txt', 'bravo');
    const cur = await cursorNow(a2);

    const r = await share(a1, a1.ns, 'team', b.email, 'editor');
    expect(r.status).toBe(200);
    const ns = r.body.ns as string;
    expect(r.body.member).toMatchObject({
      email: b.email,
      role: 'editor',
      status: 'pending',
      account_id: null,
    });

    // A's other device: the home got ONE `mount` record; the new namespace is to be snapshotted.
    const ch = await changesAfter(a2, cur);
    const home = ch.changes.filter((c) => c.ns === a1.ns);
    expect(home.map((c) => [c.op, c.entry.path, c.mount])).toEqual([
      ['mount', 'Team', { ns, role: 'owner' }],
    ]);
    expect(home[0].entry.mount).toEqual({ ns, role: 'owner' });
    expect(ch.reset_ns).toEqual([ns]);
    const snap = await snapshot(a2, ns);
    expect(snap.map((e) => [e.path, e.id])).toEqual([
      ['a.txt', fa.id],
      ['sub', expect.any(String)],
      ['sub/b.txt', fb.id],
    ]);
    expect(snap[0].rev).toBe(fa.rev);
    expect((await snapshot(a2, a1.ns)).map((e) => e.path)).toEqual(['Team']);
    const acctA = (await call(base, 'account', a1.token)).body;
    expect(acctA.namespaces).toContainEqual({ ns, role: 'owner', mount_path: 'Team' });
    expect(acctA.used_bytes).toBe(10);

    // B sees the invitation and accepts at the default path (the folder's name).
    const ls = await call(base, 'listShares', b.token);
    expect(ls.body.invitations).toEqual([
      {
        id: r.body.member.invitation_id,
        ns,
        name: 'Team',
        owner_email: a1.email,
        role: 'editor',
        created_at: expect.any(Number),
      },
    ]);
    const bCur = await cursorNow(b);
    const acc = await call(base, 'acceptInvitation', b.token, {
      params: { id: r.body.member.invitation_id },
      body: {},
    });
    expect(acc.body.mount).toEqual({ ns, role: 'editor', mount_path: 'Team' });
    const bch = await changesAfter(b, bCur);
    expect(bch.changes.map((c) => [c.ns, c.op, c.entry.path, c.mount])).toEqual([
      [b.ns, 'mount', 'Team', { ns, role: 'editor' }],
    ]);
    expect(bch.reset_ns).toEqual([ns]);
    const info = await call(base, 'shareInfo', b.token, { params: { ns } });
    expect(info.body).toMatchObject({
      ns,
      name: 'Team',
      owner_email: a1.email,
      role: 'editor',
      mount_path: 'Team',
    });
    expect(info.body.members.map((m: any) => [m.email, m.role, m.status])).toEqual([
      [a1.email, 'owner', 'member'],
      [b.email, 'editor', 'member'],
    ]);

    // Edits both ways: B commits into the shared namespace, A's second device sees it; and back.
    const aCur = await cursorNow(a2);
    const eb = await putFile(base, b, 'from-b.txt', 'by b', null, ns);
    const seen = await changesAfter(a2, aCur);
    expect(seen.changes.map((c) => [c.ns, c.op, c.entry.path, c.entry.device_id])).toEqual([
      [ns, 'put', 'from-b.txt', b.deviceId],
    ]);
    const dl = await call(base, 'download', a2.token, { params: { ns }, query: { path: 'from-b.txt' } });
    expect(dl.body.toString()).toBe('by b');
    const ea = await putFile(base, a1, 'from-b.txt', 'edited by a', eb.rev, ns);
    const back = await changesAfter(b, (await changesAfter(b, bCur)).cursor);
    void back;
    const dl2 = await call(base, 'download', b.token, { params: { ns }, query: { path: 'from-b.txt' } });
    expect(dl2.body.toString()).toBe('edited by a');
    expect(ea.rev).not.toBe(eb.rev);
    // B may read blocks A uploaded into the shared folder (proof of possession through the namespace).
    const gb = await call(base, 'getBlock', b.token, { params: { hash: ea.blocks[0] } });
    expect(gb.status).toBe(200);

    // Writes in a home at or under a mount point are refused: content lives in the namespace.
    const blocks = await upload(base, a1.token, Buffer.from('x'));
    for (const [name, input] of [
      ['commit', { body: { path: 'Team/x.txt', parent_rev: null, blocks, size: 1, mtime: 1 } }],
      ['mkdir', { body: { path: 'Team/dir' } }],
      ['move', { body: { from: 'Team/from-b.txt', to: 'out.txt' } }],
      ['move', { body: { from: 'Team', to: 'Team/inside' } }],
      ['delete', { body: { path: 'Team' } }],
    ] as const) {
      const w = await unchanged(s.dataDir, () =>
        call(base, name, a1.token, { params: { ns: a1.ns }, ...input }),
      );
      expectRefused(w, 409, 'mount_point');
    }
    // The mount point itself may move within the home (where this account sees the folder);
    // the membership's mount path follows, and the namespace's content is untouched.
    const mv = await call(base, 'move', a1.token, { params: { ns: a1.ns }, body: { from: 'Team', to: 'Work/Team 2' } });
    expect(mv.status, JSON.stringify(mv.body)).toBe(200);
    const acct = await call(base, 'account', a1.token, {});
    expect((acct.body as { namespaces: Array<{ ns: string; mount_path: string }> }).namespaces.find((n) => n.ns === ns)?.mount_path).toBe('Work/Team 2');
    const inNs = await call(base, 'meta', b.token, { params: { ns }, query: { path: 'from-b.txt' } });
    expect(inNs.status).toBe(200);
  });

  it('decline drops the invitation; accept picks a unique default name or refuses a taken path', async () => {
    const a = await signup(base);
    const b = await signup(base);
    await putFile(base, a, 'Photos/p.jpg', 'jpg');
    await putFile(base, b, 'Photos/mine.jpg', 'mine');
    const r = await share(a, a.ns, 'Photos', b.email, 'viewer');
    const id = r.body.member.invitation_id;
    // Someone else's invitation is not found for them.
    expectRefused(
      await unchanged(s.dataDir, () => call(base, 'acceptInvitation', a.token, { params: { id }, body: {} })),
      404,
      'not_found',
    );
    expectRefused(
      await unchanged(s.dataDir, () => call(base, 'declineInvitation', a.token, { params: { id } })),
      404,
      'not_found',
    );
    expect((await call(base, 'declineInvitation', b.token, { params: { id } })).status).toBe(204);
    expect((await call(base, 'listShares', b.token)).body.invitations).toEqual([]);
    expectRefused(
      await unchanged(s.dataDir, () => call(base, 'acceptInvitation', b.token, { params: { id }, body: {} })),
      404,
      'not_found',
    );

    const r2 = await share(a, a.ns, 'Photos', b.email, 'viewer');
    expect(r2.body.ns).toBe(r.body.ns);
    const id2 = r2.body.member.invitation_id;
    expectRefused(
      await unchanged(s.dataDir, () =>
        call(base, 'acceptInvitation', b.token, { params: { id: id2 }, body: { path: 'photos' } }),
      ),
      409,
      'path_case_collision',
    );
    expectRefused(
      await unchanged(s.dataDir, () =>
        call(base, 'acceptInvitation', b.token, { params: { id: id2 }, body: { path: 'Photos' } }),
      ),
      409,
      'path_exists',
    );
    const acc = await call(base, 'acceptInvitation', b.token, { params: { id: id2 }, body: {} });
    expect(acc.body.mount).toEqual({ ns: r.body.ns, role: 'viewer', mount_path: 'Photos (2)' });
    expectRefused(
      await unchanged(s.dataDir, () => share(a, a.ns, 'Photos', b.email, 'editor')),
      409,
      'already_member',
    );
    expectRefused(
      await unchanged(s.dataDir, () => share(a, a.ns, 'Photos', a.email, 'editor')),
      409,
      'already_member',
    );
  });

  it('viewer writes are forbidden; a role change is a mount record; removal and leave unmount', async () => {
    const a = await signup(base);
    const b = await signup(base);
    await putFile(base, a, 'Docs/d.txt', 'doc');
    const ns = await shareAccepted(a, b, 'Docs', 'viewer', 'Shared/Docs');
    const blocks = await upload(base, b.token, Buffer.from('nope'));
    const commit = () =>
      call(base, 'commit', b.token, {
        params: { ns },
        body: { path: 'd2.txt', parent_rev: null, blocks, size: 4, mtime: 1 },
      });
    expectRefused(await unchanged(s.dataDir, commit), 403, 'forbidden');
    expectRefused(
      await unchanged(s.dataDir, () =>
        call(base, 'delete', b.token, { params: { ns }, body: { path: 'd.txt' } }),
      ),
      403,
      'forbidden',
    );
    expectRefused(await unchanged(s.dataDir, () => share(b, ns, '', 'x@example.com')), 403, 'forbidden');
    expect(
      (await call(base, 'download', b.token, { params: { ns }, query: { path: 'd.txt' } })).body.toString(),
    ).toBe('doc');

    const cur = await cursorNow(b);
    const rc = await call(base, 'setMemberRole', a.token, {
      params: { ns },
      body: { email: b.email, role: 'editor' },
    });
    expect(rc.body.member).toMatchObject({ email: b.email, role: 'editor', status: 'member' });
    const ch = await changesAfter(b, cur);
    expect(ch.changes.map((c) => [c.op, c.entry.path, c.mount])).toEqual([
      ['mount', 'Shared/Docs', { ns, role: 'editor' }],
    ]);
    expect((await commit()).status).toBe(200);
    expectRefused(
      await unchanged(s.dataDir, () =>
        call(base, 'setMemberRole', a.token, { params: { ns }, body: { email: a.email, role: 'viewer' } }),
      ),
      409,
      'owner_cannot_leave',
    );
    expectRefused(
      await unchanged(s.dataDir, () =>
        call(base, 'setMemberRole', b.token, { params: { ns }, body: { email: b.email, role: 'editor' } }),
      ),
      403,
      'forbidden',
    );

    // Removal: B's home gets an unmount record; B loses every right in the namespace.
    const cur2 = await cursorNow(b);
    expect(
      (await call(base, 'removeMember', a.token, { params: { ns }, body: { email: b.email } })).status,
    ).toBe(204);
    const ch2 = await changesAfter(b, cur2);
    expect(ch2.changes.map((c) => [c.ns, c.op, c.entry.path, c.entry.deleted, c.mount])).toEqual([
      [b.ns, 'unmount', 'Shared/Docs', true, { ns, role: 'editor' }],
    ]);
    expectRefused(
      await unchanged(s.dataDir, () => call(base, 'snapshot', b.token, { params: { ns } })),
      403,
      'forbidden',
    );
    expect((await call(base, 'account', b.token)).body.namespaces.map((m: any) => m.ns)).toEqual([b.ns]);
    // The emptied parent stays; the mount point is gone (not undeletable).
    expect((await snapshot(b, b.ns)).map((e) => e.path)).toEqual(['Shared']);
    expectRefused(
      await unchanged(s.dataDir, () =>
        call(base, 'undelete', b.token, { params: { ns: b.ns }, body: { path: 'Shared/Docs' } }),
      ),
      404,
      'not_found',
    );

    // Leave: invited again, accepted, then left.
    await shareAccepted(a, b, 'Docs', 'editor');
    expectRefused(
      await unchanged(s.dataDir, () => call(base, 'leaveShare', a.token, { params: { ns } })),
      409,
      'owner_cannot_leave',
    );
    expect((await call(base, 'leaveShare', b.token, { params: { ns } })).status).toBe(204);
    expect((await call(base, 'account', b.token)).body.namespaces.map((m: any) => m.ns)).toEqual([b.ns]);
    expectRefused(
      await unchanged(s.dataDir, () => call(base, 'leaveShare', b.token, { params: { ns } })),
      403,
      'forbidden',
    );
    expectRefused(
      await unchanged(s.dataDir, () => call(base, 'leaveShare', b.token, { params: { ns: b.ns } })),
      409,
      'not_shared',
    );
  });

  it('unshare returns the content into the owner home (same ids) and unmounts the members', async () => {
    const a = await signup(base);
    const b = await signup(base);
    const f = await putFile(base, a, 'P/q/r.txt', 'payload');
    const ns = await shareAccepted(a, b, 'P');
    await putFile(base, b, 'q/by-b.txt', 'bb', null, ns);
    const usedBefore = (await call(base, 'account', a.token)).body.used_bytes;
    expect(usedBefore).toBe(9);
    const aCur = await cursorNow(a);
    const bCur = await cursorNow(b);
    expect((await call(base, 'unshare', a.token, { params: { ns } })).status).toBe(204);
    const ach = await changesAfter(a, aCur);
    expect(ach.changes.map((c) => [c.op, c.entry.path])).toEqual([
      ['unmount', 'P'],
      ['mkdir', 'P/q'],
      ['put', 'P/q/by-b.txt'],
      ['put', 'P/q/r.txt'],
    ]);
    expect(ach.changes[0].entry.mount).toBeUndefined();
    expect(ach.changes[0].entry.deleted).toBe(false);
    expect(ach.changes[3].entry.id).toBe(f.id);
    const bch = await changesAfter(b, bCur);
    expect(bch.changes.map((c) => [c.op, c.entry.path, c.entry.deleted])).toEqual([['unmount', 'P', true]]);
    expect((await call(base, 'account', a.token)).body).toMatchObject({
      used_bytes: 9,
      namespaces: [{ ns: a.ns, role: 'owner', mount_path: '' }],
    });
    expectRefused(
      await unchanged(s.dataDir, () => call(base, 'snapshot', a.token, { params: { ns } })),
      403,
      'forbidden',
    );
    // Plain content again: writable in the home; history came back too.
    await putFile(base, a, 'P/q/r.txt', 'payload 2', f.rev);
    const revs = await call(base, 'revisions', a.token, {
      params: { ns: a.ns },
      query: { path: 'P/q/r.txt' },
    });
    expect(revs.body.revisions.map((r: any) => r.path)).toEqual(['P/q/r.txt', 'P/q/r.txt']);
    expectRefused(
      await unchanged(s.dataDir, () => call(base, 'unshare', a.token, { params: { ns: a.ns } })),
      409,
      'not_shared',
    );
  });

  it("the shared folder's bytes count against the owner's quota, not the editor's", async () => {
    const a = await signup(base);
    const b = await signup(base);
    await call(base, 'mkdir', a.token, { params: { ns: a.ns }, body: { path: 'Q' } });
    const ns = await shareAccepted(a, b, 'Q');
    await putFile(base, b, 'big.bin', Buffer.alloc(60_000, 1), null, ns);
    expect((await call(base, 'account', a.token)).body.used_bytes).toBe(60_000);
    expect((await call(base, 'account', b.token)).body.used_bytes).toBe(0);
    // A has 40 000 bytes left: B's 50 000-byte commit into A's folder is over A's quota.
    const data = Buffer.alloc(50_000, 2);
    const blocks = await upload(base, b.token, data);
    const r = await unchanged(s.dataDir, () =>
      call(base, 'commit', b.token, {
        params: { ns },
        body: { path: 'too-big.bin', parent_rev: null, blocks, size: data.length, mtime: 1 },
      }),
    );
    expectRefused(r, 403, 'quota_exceeded');
    // The same bytes fit in B's own home.
    const own = await call(base, 'commit', b.token, {
      params: { ns: b.ns },
      body: { path: 'mine.bin', parent_rev: null, blocks, size: data.length, mtime: 1 },
    });
    expect(own.status).toBe(200);
  });

  it('refuses nested shares, shares containing a share, files and the home root', async () => {
    const a = await signup(base);
    const b = await signup(base);
    await putFile(base, a, 'S/inner/x.txt', 'x');
    await putFile(base, a, 'file.txt', 'f');
    const ns = await shareAccepted(a, b, 'S', 'editor', 'Outer/S');
    await putFile(base, b, 'Outer/other.txt', 'o');
    const cases: [Acct, string, string, number, string][] = [
      [a, ns, 'inner', 409, 'share_nested'],
      [a, a.ns, 'S/inner', 409, 'share_nested'],
      [b, b.ns, 'Outer/S', 409, 'share_nested'],
      [b, b.ns, 'Outer', 409, 'share_contains_shared'],
      [a, a.ns, 'file.txt', 409, 'not_a_folder'],
      [a, a.ns, 'nope', 404, 'not_found'],
      [a, a.ns, '', 400, 'path_invalid'],
      [b, ns, '', 403, 'forbidden'],
    ];
    for (const [who, inNs, path, status, code] of cases) {
      expectRefused(
        await unchanged(s.dataDir, () => share(who, inNs, path, 'someone@example.com')),
        status,
        code,
      );
    }
    // The owner invites more people from inside the shared namespace (path "").
    expect((await share(a, ns, '', 'third@example.com', 'viewer')).status).toBe(200);
    // An invitation to an email without an account waits for that account to sign up.
    const c = await signup(base, 'third@example.com');
    expect((await call(base, 'listShares', c.token)).body.invitations.map((i: any) => i.ns)).toEqual([ns]);
  });

  it("the notify WebSocket follows the account's namespaces: a newly mounted one is announced and pushed", async () => {
    const a = await signup(base);
    const b = await signup(base);
    await putFile(base, a, 'N/n.txt', 'n');
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/notify`, { headers: { authorization: `Bearer ${b.token}` } });
    const queue: any[] = [];
    const waiters: ((m: any) => void)[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      const w = waiters.shift();
      if (w) w(m);
      else queue.push(m);
    });
    const next = (): Promise<any> => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)));
    /** The next message about `ns` (others, e.g. the home's own advances, are skipped). */
    const nextFor = async (ns: string): Promise<any> => {
      for (;;) {
        const m = await next();
        if (m.ns === ns) return m;
      }
    };
    try {
      expect((await next()).type).toBe('ready');
      const r = await share(a, a.ns, 'N', b.email);
      const ns = r.body.ns as string;
      await call(base, 'acceptInvitation', b.token, { params: { id: r.body.member.invitation_id }, body: {} });
      expect(await nextFor(ns)).toEqual({ type: 'advance', ns, seq: 1 });
      const e = await putFile(base, a, 'later.txt', 'later', null, ns);
      expect(await nextFor(ns)).toEqual({ type: 'advance', ns, seq: e.seq });
    } finally {
      ws.close();
    }
  });
});
