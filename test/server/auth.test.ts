/* eslint-disable @typescript-eslint/no-explicit-any -- wire bodies are checked field by field in assertions */
// Accounts, devices, tokens, rate limits, and request-shape errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_BODY_BYTES } from '../../src-shared/index.ts';
import { call, req, signup, storedState, testServer, unchanged, type TestServer } from './helpers.ts';

let s: TestServer;
let base: string;
beforeAll(async () => {
  s = await testServer();
  base = s.url;
});
afterAll(async () => {
  await s.stop();
});

const creds = (email: string, password = 'password123', device_name = 'laptop') => ({ email, password, device_name });

describe('accounts and devices', () => {
  it('signs up, logs in on a second device, lists and revokes devices', async () => {
    const a = await signup(base, 'Alice@Example.com');
    expect(a.token).toMatch(/^cairn_[A-Za-z0-9_-]{43}$/u);
    const acct = await call(base, 'account', a.token);
    expect(acct.body).toMatchObject({ account_id: a.accountId, email: 'alice@example.com', home_ns: a.ns, used_bytes: 0 });
    expect(acct.body.namespaces).toEqual([{ ns: a.ns, role: 'owner', mount_path: '' }]);
    const li = await call(base, 'login', undefined, { body: creds('alice@example.com', 'password123', 'phone') });
    expect(li.status).toBe(200);
    expect(li.body).toMatchObject({ account_id: a.accountId, home_ns: a.ns });
    const devs = await call(base, 'listDevices', li.body.token);
    expect(devs.body.devices.map((d: any) => [d.name, d.current])).toEqual([
      ['dev', false],
      ['phone', true],
    ]);
    const rv = await call(base, 'revokeDevice', li.body.token, { params: { id: a.deviceId } });
    expect(rv.status).toBe(204);
    expect((await call(base, 'account', a.token)).body.error.code).toBe('unauthorized');
    const again = await unchanged(s.dataDir, () => call(base, 'revokeDevice', li.body.token, { params: { id: a.deviceId } }));
    expect(again.body.error.code).toBe('not_found');
    // Another account's device is not found either.
    const b = await signup(base);
    const cross = await unchanged(s.dataDir, () => call(base, 'revokeDevice', b.token, { params: { id: li.body.device_id } }));
    expect(cross.body.error.code).toBe('not_found');
  });

  it('stores only a hash of the token and of the password', async () => {
    const a = await signup(base);
    const state = JSON.stringify(await storedState(s.dataDir));
    expect(state).not.toContain(a.token);
    expect(state).not.toContain('password123');
  });

  it('log-out revokes the calling token', async () => {
    const a = await signup(base);
    expect((await call(base, 'logout', a.token)).status).toBe(204);
    const r = await call(base, 'account', a.token);
    expect([r.status, r.body.error.code]).toEqual([401, 'unauthorized']);
  });

  it('refuses a taken email (any case), wrong credentials, and bad sign-up bodies; nothing stored', async () => {
    await signup(base, 'bob@example.com');
    const dup = await unchanged(s.dataDir, () => call(base, 'signup', undefined, { body: creds('BOB@example.com') }));
    expect([dup.status, dup.body.error.code]).toEqual([409, 'email_taken']);
    const wrong = await unchanged(s.dataDir, () => call(base, 'login', undefined, { body: creds('bob@example.com', 'wrongpassword') }));
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'invalid_credentials']);
    const nobody = await unchanged(s.dataDir, () => call(base, 'login', undefined, { body: creds('nobody@example.com') }));
    expect([nobody.status, nobody.body.error.code]).toEqual([401, 'invalid_credentials']);
    for (const body of [creds('not-an-email'), creds('x@y.z', 'short'), { email: 'x@y.z', password: 'password123' }, 'just a string', [1, 2]]) {
      const r = await unchanged(s.dataDir, () => call(base, 'signup', undefined, { body }));
      expect([r.status, r.body.error.code]).toEqual([400, 'bad_request']);
    }
  });

  it('answers unauthorized for a missing, malformed, wrong or revoked token', async () => {
    const revoked = await signup(base);
    expect((await call(base, 'account', revoked.token)).status).toBe(200);
    expect((await call(base, 'logout', revoked.token)).status).toBe(204);
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer' },
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: 'Bearer cairn_wrong' },
      { authorization: `Bearer ${revoked.token}` },
    ]) {
      const r = await req(base, 'GET', '/api/v1/account', { headers });
      expect([r.status, r.body.error.code]).toEqual([401, 'unauthorized']);
    }
  });
});

describe('request shape', () => {
  it('maps malformed JSON, wrong content type, oversized bodies and unknown routes to stable codes', async () => {
    const a = await signup(base);
    const bad = await unchanged(s.dataDir, () =>
      req(base, 'POST', `/api/v1/ns/${a.ns}/mkdir`, { token: a.token, raw: '{"path": ', headers: { 'content-type': 'application/json' } }),
    );
    expect([bad.status, bad.body.error.code]).toEqual([400, 'bad_request']);
    const ct = await unchanged(s.dataDir, () =>
      req(base, 'POST', `/api/v1/ns/${a.ns}/mkdir`, { token: a.token, raw: 'path=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    );
    expect([ct.status, ct.body.error.code]).toEqual([415, 'unsupported_media_type']);
    const octet = await unchanged(s.dataDir, () => req(base, 'POST', `/api/v1/ns/${a.ns}/mkdir`, { token: a.token, raw: '{"path":"x"}' }));
    expect([octet.status, octet.body.error.code]).toEqual([415, 'unsupported_media_type']);
    const huge = await unchanged(s.dataDir, () =>
      req(base, 'POST', `/api/v1/ns/${a.ns}/mkdir`, { token: a.token, json: { path: 'x', pad: 'x'.repeat(MAX_JSON_BODY_BYTES) } }),
    );
    expect([huge.status, huge.body.error.code]).toEqual([413, 'body_too_large']);
    const none = await req(base, 'GET', '/api/v1/nothing-here', { token: a.token });
    expect([none.status, none.body.error.code]).toEqual([404, 'not_found']);
    const method = await req(base, 'PATCH', '/api/v1/account', { token: a.token });
    expect([method.status, method.body.error.code]).toEqual([404, 'not_found']);
  });
});

describe('rate limits', () => {
  it('limits sign-ups per IP and log-ins per IP and per email', async () => {
    const t = await (await import('./helpers.ts')).testServer({ rateLimits: { signupPerIp: 2, loginPerIp: 5, loginPerEmail: 3 } });
    try {
      await signup(t.url, 'r1@example.com');
      await signup(t.url, 'r2@example.com');
      const third = await unchanged(t.dataDir, () => call(t.url, 'signup', undefined, { body: creds('r3@example.com') }));
      expect([third.status, third.body.error.code]).toEqual([429, 'rate_limited']);
      // Failed log-ins for one email: 3 allowed, then limited even with the right password.
      for (let i = 0; i < 3; i++) {
        expect((await call(t.url, 'login', undefined, { body: creds('r1@example.com', 'wrongpassword') })).status).toBe(401);
      }
      const blocked = await unchanged(t.dataDir, () => call(t.url, 'login', undefined, { body: creds('r1@example.com') }));
      expect([blocked.status, blocked.body.error.code]).toEqual([429, 'rate_limited']);
      // Another email still logs in, until the per-IP budget (5) runs out.
      expect((await call(t.url, 'login', undefined, { body: creds('r2@example.com') })).status).toBe(200);
      const ip = await call(t.url, 'login', undefined, { body: creds('r2@example.com') });
      expect([ip.status, ip.body.error.code]).toEqual([429, 'rate_limited']);
    } finally {
      await t.stop();
    }
  });
});
