// The control API's sharing methods (src-main/engine/sharing.ts behind
// src-main/control/service.ts) over real engines and a real server, two accounts: invite,
// accept at a chosen path, role change, links with expiry/password (the URL remembered for
// "copy", across both transports' APIs), revoke, leave, unshare; and `cairn share|link` for a
// home whose token the desktop app keeps in the keychain (through the running engine).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../src-shared/control.ts';
import { createControlApi, dispatch, serveEngine } from '../../src-main/control/index.ts';
import { vaultCredentialStore, writeCredentials, type TokenVault } from '../../src-main/engine/account.ts';
import { Engine } from '../../src-main/engine/index.ts';
import { registerShareCommands } from '../../src-main/cli/share.ts';
import { putFile, signup, testServer, type Acct, type TestServer } from '../server/helpers.ts';

let s: TestServer;
let tmp: string;
const engines: Engine[] = [];
beforeAll(async () => {
  s = await testServer();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-control-share-'));
});
afterAll(async () => {
  for (const e of engines) await e.stop();
  await s.stop();
  await fs.rm(tmp, { recursive: true, force: true });
});

function memVault(): TokenVault & { stored: string | null } {
  return {
    name: 'safeStorage',
    available: true,
    stored: null,
    save(t) {
      this.stored = t;
    },
    load() {
      return this.stored;
    },
    clear() {
      this.stored = null;
    },
  };
}

const credsOf = (a: Acct, name: string) => ({
  server: s.url,
  email: a.email,
  account_id: a.accountId,
  device_id: a.deviceId,
  device_name: name,
  token: a.token,
  home_ns: a.ns,
});

/** An engine (not syncing: sharing needs only its server client) for `a`, and its control API. */
function device(a: Acct, name: string): { engine: Engine; api: ControlApi; home: string } {
  const home = path.join(tmp, name);
  writeCredentials(home, credsOf(a, name));
  const engine = new Engine({ home });
  engines.push(engine);
  return { engine, api: createControlApi(engine), home };
}

describe('control API: sharing', () => {
  it('invite, accept at a path, role change, links, revoke, leave, unshare', async () => {
    const a = await signup(s.url);
    const b = await signup(s.url);
    await putFile(s.url, a, 'Team/plan.txt', 'the plan');
    const A = device(a, 'ctl-a');
    const B = device(b, 'ctl-b');

    // The schema refuses an owner role before anything reaches the server.
    await expect(dispatch(A.api, 'shareAdd', { path: 'Team', email: b.email, role: 'owner' })).rejects.toMatchObject({ code: 'bad_request' });
    const added = await A.api.shareAdd({ path: 'Team/', email: b.email, role: 'editor' });
    expect(added.member).toMatchObject({ email: b.email, role: 'editor', status: 'pending' });

    const inv = await B.api.shares({});
    expect(inv.invitations).toHaveLength(1);
    expect(inv.invitations[0]).toMatchObject({ name: 'Team', owner_email: a.email, role: 'editor' });
    const acc = await B.api.shareAccept({ id: inv.invitations[0]!.id, path: 'Work/Team' });
    expect(acc.mount).toMatchObject({ mount_path: 'Work/Team', role: 'editor' });
    expect((await B.api.shares({})).invitations).toEqual([]);

    const mine = await A.api.shares({});
    expect(mine.shares).toHaveLength(1);
    expect(mine.shares[0]).toMatchObject({ mount_path: 'Team', role: 'owner' });
    expect(mine.shares[0]!.members.map((m) => [m.email, m.role, m.status])).toEqual([
      [a.email, 'owner', 'member'],
      [b.email, 'editor', 'member'],
    ]);

    expect((await A.api.shareSetRole({ path: 'Team', email: b.email, role: 'viewer' })).member.role).toBe('viewer');
    expect((await B.api.shares({})).shares[0]).toMatchObject({ role: 'viewer', mount_path: 'Work/Team' });
    // A viewer cannot manage members; a path that is not a shared folder says so.
    await expect(B.api.shareRemove({ path: 'Work/Team', email: a.email })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(A.api.shareLeave({ path: 'Team/plan.txt' })).rejects.toMatchObject({ code: 'not_shared' });

    // Links: past expiry refused; a password link; the URL is listed for copy by any API over the engine.
    await expect(A.api.linkCreate({ path: 'Team/plan.txt', expires_at: Date.now() - 1000 })).rejects.toMatchObject({ code: 'bad_request' });
    const made = await A.api.linkCreate({ path: 'Team/plan.txt', expires_at: Date.now() + 3_600_000, password: 'pw-pw-pw' });
    expect(made.url).toMatch(new RegExp(`^${s.url}/s/cairn_l_`, 'u'));
    expect(made.link).toMatchObject({ home_path: 'Team/plan.txt', has_password: true, url: made.url });
    expect((await fetch(made.url)).status).toBe(401);
    const otherTransport = createControlApi(A.engine);
    const listed = await otherTransport.links({});
    expect(listed.links).toHaveLength(1);
    expect(listed.links[0]).toMatchObject({ id: made.link.id, home_path: 'Team/plan.txt', url: made.url, expired: false });
    // A link made elsewhere (straight against the server) is listed without a URL to copy.
    const cli = await cliIn(A.home);
    const [otherUrl] = await cli('link', 'create', 'Team');
    const both = await A.api.links({});
    expect(both.links.map((l) => [l.home_path, l.url])).toEqual([
      ['Team', null],
      ['Team/plan.txt', made.url],
    ]);
    await A.api.linkRevoke({ id: made.url });
    expect((await fetch(made.url)).status).toBe(410);
    await A.api.linkRevoke({ id: both.links[0]!.id });
    expect((await fetch(otherUrl!)).status).toBe(410);
    expect((await A.api.links({})).links).toEqual([]);

    await B.api.shareLeave({ path: 'Work/Team' });
    expect((await B.api.shares({})).shares).toEqual([]);
    await A.api.shareUnshare({ path: 'Team' });
    expect((await A.api.shares({})).shares).toEqual([]);
  });

  it('invitations can be declined; pickFolder is unsupported outside the desktop app', async () => {
    const a = await signup(s.url);
    const b = await signup(s.url);
    await putFile(s.url, a, 'Docs/x.txt', 'x');
    const A = device(a, 'decl-a');
    const B = device(b, 'decl-b');
    await A.api.shareAdd({ path: 'Docs', email: b.email, role: 'viewer' });
    const id = (await B.api.shares({})).invitations[0]!.id;
    await B.api.shareDecline({ id });
    expect((await B.api.shares({})).invitations).toEqual([]);
    expect((await A.api.shares({})).shares[0]!.members.map((m) => m.email)).toEqual([a.email]);
    await expect(dispatch(A.api, 'pickFolder', {})).rejects.toMatchObject({ code: 'unsupported' });
  });
});

/** `cairn share|link …` in `home`, in-process; resolves with the stdout lines. */
async function cliIn(home: string) {
  return async (...args: string[]): Promise<string[]> => {
    const lines: string[] = [];
    const prog = new Command('cairn').exitOverride();
    registerShareCommands(prog, { home: () => home, out: (l) => lines.push(l), readStdin: async () => '' });
    await prog.parseAsync(args, { from: 'user' });
    return lines;
  };
}

describe('cairn share|link with the token in the desktop app’s keychain', () => {
  it('answers token_in_keychain while no engine runs, and goes through the running engine otherwise', async () => {
    const a = await signup(s.url);
    await putFile(s.url, a, 'Pics/p.txt', 'p');
    const home = path.join(tmp, 'keychain');
    const vault = memVault();
    vaultCredentialStore(home, vault).save(credsOf(a, 'keychain'));
    const cli = await cliIn(home);
    await expect(cli('share', 'list')).rejects.toMatchObject({ code: 'token_in_keychain' });

    const engine = new Engine({ home, credentials: vaultCredentialStore(home, vault) });
    engines.push(engine);
    const srv = await serveEngine(engine);
    try {
      expect(await cli('share', 'list')).toEqual(['no shared folders or invitations']);
      const [url] = await cli('link', 'create', 'Pics/p.txt');
      expect(url).toMatch(/\/s\/cairn_l_/u);
      // Made through the engine, so the engine can give the URL again.
      expect((await createControlApi(engine).links({})).links[0]!.url).toBe(url);
      expect(await cli('link', 'revoke', url!)).toHaveLength(1);
      expect((await fetch(url!)).status).toBe(410);
    } finally {
      await srv.close();
    }
    await expect(cli('link', 'list')).rejects.toMatchObject({ code: 'token_in_keychain' });
  });
});
