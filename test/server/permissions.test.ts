/* eslint-disable @typescript-eslint/no-explicit-any -- wire bodies are checked field by field in assertions */
// The permission matrix: every route of the route map × every kind of caller, generated from
// ONE table. `MATRIX` is typed `Record<RouteName, Row>` (a route missing from it does not
// typecheck) and a test compares its keys with the route map at run time too, so a new
// endpoint cannot escape the matrix. An allowed call must answer the route's success status;
// a denied one its stable code, with nothing stored changed. Each cell gets a fresh shared
// folder (owner A, editor B, viewer C; D has no role), so destructive calls do not leak.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor, routes, type ErrorCode, type RouteName } from '../../src-shared/index.ts';
import {
  call,
  putFile,
  rand,
  sha,
  signup,
  testServer,
  unchanged,
  type Acct,
  type TestServer,
} from './helpers.ts';

/** The kinds of caller. `revoked` = a revoked device token of the owner; `link` = a public link token used as a Bearer token. */
const WHO = ['owner', 'editor', 'viewer', 'other', 'none', 'revoked', 'link'] as const;
type Who = (typeof WHO)[number];
type Expect = 'allow' | ErrorCode;

/** Per-cell fixture: the shared namespace and what the inputs name. */
interface Fixture {
  ns: string;
  file: any;
  linkId: string;
  /** Invitation addressed to D (`other`). */
  invitationId: string;
  /** A spare device of the caller (or of the owner for token-less callers). */
  spareDevice: string;
}

interface Row {
  input(
    f: Fixture,
    who: Who,
  ): { params?: Record<string, string>; query?: Record<string, any>; body?: unknown };
  expect: Record<Who, Expect>;
  /** The cell needs a fresh token for the caller (the call revokes it). */
  freshToken?: boolean;
  /** An allowed call changes what later cells rely on: every cell gets its own fixture. */
  destructive?: boolean;
}

const NO_TOKEN: Record<'none' | 'revoked' | 'link', Expect> = {
  none: 'unauthorized',
  revoked: 'unauthorized',
  link: 'unauthorized',
};
/** Anyone, token or not. */
const PUBLIC: Record<Who, Expect> = {
  owner: 'allow',
  editor: 'allow',
  viewer: 'allow',
  other: 'allow',
  none: 'allow',
  revoked: 'allow',
  link: 'allow',
};
/** Any authenticated account. */
const ANY_ACCOUNT: Record<Who, Expect> = {
  owner: 'allow',
  editor: 'allow',
  viewer: 'allow',
  other: 'allow',
  ...NO_TOKEN,
};
/** A role of at least `min` in the namespace. */
function atLeast(min: 'viewer' | 'editor' | 'owner'): Record<Who, Expect> {
  const rank = { viewer: 1, editor: 2, owner: 3 };
  const r = (w: 'owner' | 'editor' | 'viewer'): Expect => (rank[w] >= rank[min] ? 'allow' : 'forbidden');
  return { owner: r('owner'), editor: r('editor'), viewer: r('viewer'), other: 'forbidden', ...NO_TOKEN };
}
const ns = (f: Fixture) => ({ ns: f.ns });
let seq = 0;
const fresh = (p: string) => `${p}-${++seq}`;
const EMPTY_COMMIT = (path: string) => ({ path, parent_rev: null, blocks: [], size: 0, mtime: 1 });

const MATRIX: Record<RouteName, Row> = {
  signup: {
    input: () => ({
      body: { email: `${fresh('m')}@example.com`, password: 'password123', device_name: 'm' },
    }),
    expect: PUBLIC,
  },
  login: {
    input: () => ({ body: { email: accounts.owner.email, password: 'password123', device_name: 'm' } }),
    expect: PUBLIC,
  },
  logout: { input: () => ({}), expect: ANY_ACCOUNT, freshToken: true },
  account: { input: () => ({}), expect: ANY_ACCOUNT },
  listDevices: { input: () => ({}), expect: ANY_ACCOUNT },
  revokeDevice: { input: (f) => ({ params: { id: f.spareDevice } }), expect: ANY_ACCOUNT, destructive: true },
  checkBlocks: { input: (f) => ({ body: { hashes: f.file.blocks } }), expect: ANY_ACCOUNT },
  putBlock: {
    input: () => {
      const b = rand(100);
      return { params: { hash: sha(b) }, body: b };
    },
    expect: ANY_ACCOUNT,
  },
  // Proof of possession: a block is readable through a namespace where a revision uses it.
  getBlock: {
    input: (f) => ({ params: { hash: f.file.blocks[0] } }),
    expect: { ...atLeast('viewer'), other: 'not_found' },
  },
  commit: { input: (f) => ({ params: ns(f), body: EMPTY_COMMIT(fresh('c')) }), expect: atLeast('editor') },
  commitBatch: {
    input: (f) => ({ params: ns(f), body: { commits: [EMPTY_COMMIT(fresh('b'))] } }),
    expect: atLeast('editor'),
  },
  mkdir: { input: (f) => ({ params: ns(f), body: { path: fresh('d') } }), expect: atLeast('editor') },
  move: {
    input: (f) => ({ params: ns(f), body: { from: 'f.txt', to: 'g.txt' } }),
    expect: atLeast('editor'),
    destructive: true,
  },
  delete: {
    input: (f) => ({ params: ns(f), body: { path: 'f.txt' } }),
    expect: atLeast('editor'),
    destructive: true,
  },
  undelete: {
    input: (f) => ({ params: ns(f), body: { path: 'gone.txt' } }),
    expect: atLeast('editor'),
    destructive: true,
  },
  listDeleted: { input: (f) => ({ params: ns(f) }), expect: atLeast('viewer') },
  revisions: { input: (f) => ({ params: ns(f), query: { path: 'f.txt' } }), expect: atLeast('viewer') },
  restore: {
    input: (f) => ({ params: ns(f), body: { path: 'f.txt', rev: f.file.rev } }),
    expect: atLeast('editor'),
  },
  list: { input: (f) => ({ params: ns(f) }), expect: atLeast('viewer') },
  snapshot: { input: (f) => ({ params: ns(f) }), expect: atLeast('viewer') },
  meta: { input: (f) => ({ params: ns(f), query: { path: 'f.txt' } }), expect: atLeast('viewer') },
  download: { input: (f) => ({ params: ns(f), query: { path: 'f.txt' } }), expect: atLeast('viewer') },
  changes: { input: () => ({}), expect: ANY_ACCOUNT },
  waitChanges: {
    input: () => ({ query: { cursor: encodeCursor({ ns: {} }), timeout_ms: 0 } }),
    expect: ANY_ACCOUNT,
  },
  share: {
    input: (f) => ({
      params: ns(f),
      body: { path: '', email: `${fresh('inv')}@example.com`, role: 'viewer' },
    }),
    expect: atLeast('owner'),
  },
  shareInfo: { input: (f) => ({ params: ns(f) }), expect: atLeast('viewer') },
  setMemberRole: {
    input: (f) => ({ params: ns(f), body: { email: accounts.viewer.email, role: 'editor' } }),
    expect: atLeast('owner'),
    destructive: true,
  },
  removeMember: {
    input: (f) => ({ params: ns(f), body: { email: accounts.viewer.email } }),
    expect: atLeast('owner'),
    destructive: true,
  },
  // The role check passes for the owner, who must unshare instead of leaving.
  leaveShare: {
    input: (f) => ({ params: ns(f) }),
    expect: { ...atLeast('viewer'), owner: 'owner_cannot_leave' },
    destructive: true,
  },
  unshare: { input: (f) => ({ params: ns(f) }), expect: atLeast('owner'), destructive: true },
  // Invitations are addressed to one account (D here); anyone else gets not_found.
  acceptInvitation: {
    input: (f) => ({ params: { id: f.invitationId }, body: {} }),
    expect: { owner: 'not_found', editor: 'not_found', viewer: 'not_found', other: 'allow', ...NO_TOKEN },
    destructive: true,
  },
  declineInvitation: {
    input: (f) => ({ params: { id: f.invitationId } }),
    expect: { owner: 'not_found', editor: 'not_found', viewer: 'not_found', other: 'allow', ...NO_TOKEN },
    destructive: true,
  },
  createLink: { input: (f) => ({ params: ns(f), body: { path: 'f.txt' } }), expect: atLeast('editor') },
  listLinks: { input: () => ({}), expect: ANY_ACCOUNT },
  listShares: { input: () => ({}), expect: ANY_ACCOUNT },
  // The link was created by the editor: its creator and the namespace owner may revoke it.
  revokeLink: {
    input: (f) => ({ params: { id: f.linkId } }),
    expect: { owner: 'allow', editor: 'allow', viewer: 'not_found', other: 'not_found', ...NO_TOKEN },
    destructive: true,
  },
};

let s: TestServer;
let base: string;
const accounts = {} as Record<'owner' | 'editor' | 'viewer' | 'other', Acct>;
let revokedToken = '';
let linkToken = '';

beforeAll(async () => {
  s = await testServer();
  base = s.url;
  for (const w of ['owner', 'editor', 'viewer', 'other'] as const)
    accounts[w] = await signup(base, `${w}@example.com`);
  const extra = await call(base, 'login', undefined, {
    body: { email: accounts.owner.email, password: 'password123', device_name: 'old' },
  });
  revokedToken = extra.body.token;
  expect(
    (await call(base, 'revokeDevice', accounts.owner.token, { params: { id: extra.body.device_id } })).status,
  ).toBe(204);
});
afterAll(async () => {
  await s.stop();
});

async function login(a: Acct, name: string): Promise<{ token: string; deviceId: string }> {
  const r = await call(base, 'login', undefined, {
    body: { email: a.email, password: 'password123', device_name: name },
  });
  expect(r.status).toBe(200);
  return { token: r.body.token, deviceId: r.body.device_id };
}

/** A fresh shared folder: A owns it, B edits, C views; D is invited (pending). */
async function fixture(who: Who, needsSpare: boolean): Promise<Fixture> {
  const { owner: a, editor: b, viewer: c, other: d } = accounts;
  const folder = fresh('Shared');
  const file = await putFile(base, a, `${folder}/f.txt`, rand(64));
  await putFile(base, a, `${folder}/gone.txt`, 'gone');
  await call(base, 'delete', a.token, { params: { ns: a.ns }, body: { path: `${folder}/gone.txt` } });
  const r1 = await call(base, 'share', a.token, {
    params: { ns: a.ns },
    body: { path: folder, email: b.email, role: 'editor' },
  });
  const sharedNs = r1.body.ns as string;
  const r2 = await call(base, 'share', a.token, {
    params: { ns: sharedNs },
    body: { path: '', email: c.email, role: 'viewer' },
  });
  const r3 = await call(base, 'share', a.token, {
    params: { ns: sharedNs },
    body: { path: '', email: d.email, role: 'viewer' },
  });
  for (const [acct, r] of [
    [b, r1],
    [c, r2],
  ] as const) {
    const acc = await call(base, 'acceptInvitation', acct.token, {
      params: { id: r.body.member.invitation_id },
      body: { path: fresh('m') },
    });
    expect(acc.status).toBe(200);
  }
  const link = await call(base, 'createLink', b.token, { params: { ns: sharedNs }, body: { path: 'f.txt' } });
  expect(link.status).toBe(201);
  linkToken ||= link.body.token;
  const spareOf =
    who === 'owner' || who === 'editor' || who === 'viewer' || who === 'other' ? accounts[who] : a;
  const spareDevice = needsSpare ? (await login(spareOf, 'spare')).deviceId : 'none';
  return {
    ns: sharedNs,
    file: { ...file, blocks: file.blocks },
    linkId: link.body.link.id,
    invitationId: r3.body.member.invitation_id,
    spareDevice,
  };
}

describe('permission matrix', () => {
  it('covers every route of the route map, and only those', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(Object.keys(routes).sort());
    for (const row of Object.values(MATRIX)) expect(Object.keys(row.expect).sort()).toEqual([...WHO].sort());
  });

  for (const [name, row] of Object.entries(MATRIX) as [RouteName, Row][]) {
    it(`${name}: ${WHO.map((w) => `${w}=${row.expect[w]}`).join(' ')}`, async () => {
      // Fixtures are built concurrently: the store's group commit shares their fsyncs.
      const shared = row.destructive ? null : await fixture('owner', false);
      const own = row.destructive
        ? await Promise.all(WHO.map((w) => fixture(w, name === 'revokeDevice')))
        : [];
      for (const [i, who] of WHO.entries()) {
        const f = shared ?? own[i]!;
        let token: string | undefined;
        if (who === 'none') token = undefined;
        else if (who === 'revoked') token = revokedToken;
        else if (who === 'link') token = linkToken;
        else token = row.freshToken ? (await login(accounts[who], 'fresh')).token : accounts[who].token;
        const input = row.input(f, who);
        const want = row.expect[who];
        const cell = `${name} as ${who}`;
        if (want === 'allow') {
          const r = await call(base, name, token, input);
          expect([cell, r.status], JSON.stringify(r.body)).toEqual([cell, routes[name].status]);
        } else {
          const r = await unchanged(s.dataDir, () => call(base, name, token, input));
          expect([cell, r.status, r.body.error?.code]).toEqual([cell, expect.any(Number), want]);
          expect(r.status).toBeGreaterThanOrEqual(400);
        }
      }
    });
  }
});
