/* eslint-disable @typescript-eslint/no-explicit-any -- wire bodies are checked field by field in assertions */
// Public links over HTTP: create/list/revoke, the /s/ page (self-contained, strict CSP), file
// download with Range, a folder as a zip, password (form, cookie grant), expiry, revocation,
// rate-limited guesses per link and per IP, and a link dying with its creator's access.
import { createHash } from 'node:crypto';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, putFile, rand, signup, testServer, unchanged, type Acct, type TestServer } from './helpers.ts';

let s: TestServer;
let base: string;
let a: Acct;
beforeAll(async () => {
  s = await testServer();
  base = s.url;
  a = await signup(base);
});
afterAll(async () => {
  await s.stop();
});

async function link(who: Acct, p: string, extra: Record<string, unknown> = {}, ns = who.ns): Promise<any> {
  const r = await call(base, 'createLink', who.token, { params: { ns }, body: { path: p, ...extra } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function get(url: string, headers: Record<string, string> = {}) {
  const r = await fetch(base + url, { headers, redirect: 'manual' });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

async function postPassword(url: string, password: string) {
  const r = await fetch(base + url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ password }).toString(),
    redirect: 'manual',
  });
  return { status: r.status, headers: r.headers, body: await r.text() };
}

/** Files of a zip (central directory; stored entries), CRC-checked. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd).toBeGreaterThan(0);
  let n = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (; n > 0; n--) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    expect(method).toBe(0);
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(dataAt, dataAt + size);
    expect(zlib.crc32(data) >>> 0).toBe(crc);
    out.set(name, Buffer.from(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

describe('public links', () => {
  it('a file link: clean self-contained page, download with Range, only the token hash stored, list and revoke', async () => {
    const data = rand(3000);
    const f = await putFile(base, a, 'docs/report <b>.pdf', data);
    const l = await link(a, 'docs/report <b>.pdf');
    expect(l.url).toBe(`/s/${l.token}`);
    expect(l.token).toMatch(/^cairn_l_[A-Za-z0-9_-]{43}$/u);
    expect(l.link).toMatchObject({ ns: a.ns, path: f.path, kind: 'file', has_password: false, expires_at: null, expired: false });

    const pg = await get(l.url);
    expect(pg.status).toBe(200);
    const html = pg.body.toString();
    expect(html).toContain('report &#60;b&#62;.pdf');
    expect(html).not.toContain('<b>');
    expect(html).toContain('2.9 KiB');
    expect(html).not.toMatch(/<script|https?:\/\/|src=/iu);
    expect(pg.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; /u);
    expect(pg.headers.get('referrer-policy')).toBe('no-referrer');
    const style = /<style>([\s\S]*)<\/style>/u.exec(html)![1]!;
    expect(pg.headers.get('content-security-policy')).toContain(createHash('sha256').update(style).digest('base64'));

    const dl = await get(`${l.url}/download`);
    expect(dl.status).toBe(200);
    expect(dl.body.equals(data)).toBe(true);
    expect(dl.headers.get('content-disposition')).toContain("filename*=UTF-8''report%20%3Cb%3E.pdf");
    const part = await get(`${l.url}/download`, { range: 'bytes=1000-1999' });
    expect([part.status, part.headers.get('content-range')]).toEqual([206, 'bytes 1000-1999/3000']);
    expect(part.body.equals(data.subarray(1000, 2000))).toBe(true);
    expect((await get(`${l.url}/download`, { range: 'bytes=5000-' })).status).toBe(416);

    const db = new Database(path.join(s.dataDir, 'meta.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT * FROM links').all() as any[];
    db.close();
    expect(JSON.stringify(rows)).not.toContain(l.token);
    expect(rows.map((r) => r.token_hash)).toContain(createHash('sha256').update(l.token).digest('hex'));

    const list = await call(base, 'listLinks', a.token);
    expect(list.body.links.map((x: any) => x.id)).toContain(l.link.id);
    // Another account cannot revoke it; nothing changes.
    const b = await signup(base);
    const no = await unchanged(s.dataDir, () => call(base, 'revokeLink', b.token, { params: { id: l.link.id } }));
    expect([no.status, no.body.error.code]).toEqual([404, 'not_found']);
    expect((await call(base, 'revokeLink', a.token, { params: { id: l.link.id } })).status).toBe(204);
    const gone = await unchanged(s.dataDir, () => get(l.url));
    expect([gone.status, gone.headers.get('x-cairn-error')]).toEqual([410, 'link_revoked']);
    expect(gone.body.toString()).toContain('Link revoked');
    expect((await get(`${l.url}/download`)).status).toBe(410);
    expect((await call(base, 'listLinks', a.token)).body.links.map((x: any) => x.id)).not.toContain(l.link.id);
    const unknown = await get(`/s/cairn_l_${'A'.repeat(43)}`);
    expect([unknown.status, unknown.headers.get('x-cairn-error')]).toEqual([404, 'not_found']);
  });

  it('a folder link lists its files and downloads as a zip; one file by ?path=', async () => {
    const x = rand(70_000);
    await putFile(base, a, 'album/x.bin', x);
    await putFile(base, a, 'album/sub/y.txt', 'why');
    await call(base, 'mkdir', a.token, { params: { ns: a.ns }, body: { path: 'album/empty' } });
    const l = await link(a, 'album');
    const html = (await get(l.url)).body.toString();
    expect(html).toContain('x.bin');
    expect(html).toContain('sub/y.txt');
    expect(html).toContain('download?path=sub%2Fy.txt');
    const z = await get(`${l.url}/download`);
    expect([z.status, z.headers.get('content-type')]).toEqual([200, 'application/zip']);
    const files = unzip(z.body);
    expect([...files.keys()].sort()).toEqual(['album/empty/', 'album/sub/', 'album/sub/y.txt', 'album/x.bin']);
    expect(files.get('album/x.bin')!.equals(x)).toBe(true);
    expect(files.get('album/sub/y.txt')!.toString()).toBe('why');
    const one = await get(`${l.url}/download?path=${encodeURIComponent('sub/y.txt')}`);
    expect(one.body.toString()).toBe('why');
    expect((await get(`${l.url}/download?path=${encodeURIComponent('../secret')}`)).status).toBe(404);
    expect((await get(`${l.url}/download?path=sub`)).status).toBe(404);
  });

  it('a password link: form, wrong password refused, right one grants a cookie for page and download', async () => {
    const data = rand(500);
    await putFile(base, a, 'secret.bin', data);
    const l = await link(a, 'secret.bin', { password: 'open sesame' });
    expect(l.link.has_password).toBe(true);
    const pg = await unchanged(s.dataDir, () => get(l.url));
    expect([pg.status, pg.headers.get('x-cairn-error')]).toEqual([401, 'link_password']);
    expect(pg.body.toString()).toContain('type="password"');
    expect((await get(`${l.url}/download`)).status).toBe(401);
    const wrong = await unchanged(s.dataDir, () => postPassword(l.url, 'nope'));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('Wrong password');
    const right = await postPassword(l.url, 'open sesame');
    expect(right.status).toBe(303);
    const cookie = right.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/u);
    expect(cookie).not.toContain('sesame');
    const jar = { cookie: cookie.split(';')[0]! };
    expect((await get(l.url, jar)).status).toBe(200);
    const part = await get(`${l.url}/download`, { ...jar, range: 'bytes=-100' });
    expect(part.status).toBe(206);
    expect(part.body.equals(data.subarray(400))).toBe(true);
    // A forged grant is worthless.
    expect((await get(`${l.url}/download`, { cookie: jar.cookie.replace(/\.[^.]+$/u, '.AAAA') })).status).toBe(401);
  });

  it('password guesses are rate-limited per link, then per IP', async () => {
    // Its own server: budgets of 3 failures per link and 5 per IP.
    const rs = await testServer({ rateLimits: { linkGuessPerLink: 3, linkGuessPerIp: 5 } });
    const post = (url: string, password: string) =>
      fetch(rs.url + url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ password }).toString(),
        redirect: 'manual',
      }).then(async (r) => ({ status: r.status, code: r.headers.get('x-cairn-error'), text: await r.text() }));
    try {
      const u = await signup(rs.url);
      const urls: string[] = [];
      for (const name of ['g1.txt', 'g2.txt']) {
        await putFile(rs.url, u, name, name);
        const r = await call(rs.url, 'createLink', u.token, { params: { ns: u.ns }, body: { path: name, password: 'correct horse' } });
        urls.push(r.body.url);
      }
      const [l1, l2] = urls as [string, string];
      for (let i = 0; i < 3; i++) expect((await post(l1, `guess ${i}`)).status).toBe(401);
      // Blocked for this link, even with the right password.
      expect(await post(l1, 'correct horse')).toMatchObject({ status: 429, code: 'rate_limited' });
      // Another link still works for this IP until the IP's budget (5) is spent.
      expect((await post(l2, 'correct horse')).status).toBe(303);
      expect((await post(l2, 'guess')).status).toBe(401);
      expect((await post(l2, 'guess')).status).toBe(401);
      expect(await post(l2, 'correct horse')).toMatchObject({ status: 429, code: 'rate_limited' });
    } finally {
      await rs.stop();
    }
  });

  it('expiry: a past expiry is refused; an expired link answers 410 and is listed as expired', async () => {
    await putFile(base, a, 'soon.txt', 'soon');
    const past = await unchanged(s.dataDir, () =>
      call(base, 'createLink', a.token, { params: { ns: a.ns }, body: { path: 'soon.txt', expires_at: Date.now() - 1 } }),
    );
    expect([past.status, past.body.error.code]).toEqual([400, 'bad_request']);
    const l = await link(a, 'soon.txt', { expires_at: Date.now() + 60_000 });
    expect((await get(l.url)).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 120_000);
      const r = await unchanged(s.dataDir, () => get(l.url));
      expect([r.status, r.headers.get('x-cairn-error')]).toEqual([410, 'link_expired']);
      expect((await get(`${l.url}/download`)).status).toBe(410);
      const listed = (await call(base, 'listLinks', a.token)).body.links.find((x: any) => x.id === l.link.id);
      expect(listed.expired).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a link follows its entry into a shared folder and dies when its creator loses edit rights", async () => {
    const owner = await signup(base);
    const editor = await signup(base);
    await putFile(base, owner, 'Proj/plan.txt', 'plan');
    const sh = await call(base, 'share', owner.token, { params: { ns: owner.ns }, body: { path: 'Proj', email: editor.email, role: 'editor' } });
    await call(base, 'acceptInvitation', editor.token, { params: { id: sh.body.member.invitation_id }, body: {} });
    const mine = await link(owner, 'plan.txt', {}, sh.body.ns);
    const theirs = await link(editor, 'plan.txt', {}, sh.body.ns);
    expect((await get(`${theirs.url}/download`)).body.toString()).toBe('plan');
    // The editor's link dies once the editor is removed.
    expect((await call(base, 'removeMember', owner.token, { params: { ns: sh.body.ns }, body: { email: editor.email } })).status).toBe(204);
    expect((await get(theirs.url)).status).toBe(404);
    // The owner's link survives the unshare (same entry id, now in the owner's home).
    expect((await call(base, 'unshare', owner.token, { params: { ns: sh.body.ns } })).status).toBe(204);
    expect((await get(`${mine.url}/download`)).body.toString()).toBe('plan');
  });

  it('a mount point links the whole shared folder; a viewer cannot link it', async () => {
    const owner = await signup(base);
    const viewer = await signup(base);
    await putFile(base, owner, 'Box/one.txt', 'one');
    await putFile(base, owner, 'Box/deep/two.txt', 'two');
    const sh = await call(base, 'share', owner.token, { params: { ns: owner.ns }, body: { path: 'Box', email: viewer.email, role: 'viewer' } });
    await call(base, 'acceptInvitation', viewer.token, { params: { id: sh.body.member.invitation_id }, body: { path: 'Theirs' } });
    const refused = await unchanged(s.dataDir, () => call(base, 'createLink', viewer.token, { params: { ns: viewer.ns }, body: { path: 'Theirs' } }));
    expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
    const refused2 = await unchanged(s.dataDir, () => call(base, 'createLink', viewer.token, { params: { ns: sh.body.ns }, body: { path: 'one.txt' } }));
    expect([refused2.status, refused2.body.error.code]).toEqual([403, 'forbidden']);
    const l = await link(owner, 'Box');
    expect(l.link).toMatchObject({ ns: sh.body.ns, path: '', kind: 'folder' });
    const html = (await get(l.url)).body.toString();
    expect(html).toContain('deep/two.txt');
    const files = unzip((await get(`${l.url}/download`)).body);
    expect([...files.keys()].sort()).toEqual(['Box/deep/', 'Box/deep/two.txt', 'Box/one.txt']);
    expect((await get(`${l.url}/download?path=deep%2Ftwo.txt`)).body.toString()).toBe('two');
  });
});
