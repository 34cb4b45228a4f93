/* eslint-disable @typescript-eslint/no-explicit-any -- JSON output is checked field by field */
// `cairn share …` / `cairn link …` (src-main/cli/share.ts) against a real server: two
// accounts each with a device home (device.json), share → accept → list → link create/list/
// revoke → leave, and the pure helpers (durations, link ids from URLs, mount resolution).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCredentials } from '../../src-main/engine/account.ts';
import { idOptionHint } from '../../src-main/cli/main.ts';
import { homePath, linkIdOf, parseDuration, registerShareCommands, resolveMount } from '../../src-main/cli/share.ts';
import { putFile, signup, testServer, type Acct, type TestServer } from '../server/helpers.ts';

let s: TestServer;
let tmp: string;
beforeAll(async () => {
  s = await testServer();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-cli-share-'));
});
afterAll(async () => {
  await s.stop();
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A device home for `a` and a runner of `cairn <args>` in it (stdout lines returned). */
async function cli(a: Acct, name: string, stdin = '') {
  const home = path.join(tmp, name);
  writeCredentials(home, {
    server: s.url,
    email: a.email,
    account_id: a.accountId,
    device_id: a.deviceId,
    device_name: name,
    token: a.token,
    home_ns: a.ns,
  });
  return async (...args: string[]): Promise<string[]> => {
    const lines: string[] = [];
    const prog = new Command('cairn').exitOverride();
    registerShareCommands(prog, { home: () => home, out: (l) => lines.push(l), readStdin: async () => stdin });
    await prog.parseAsync(args, { from: 'user' });
    return lines;
  };
}

describe('cairn share / cairn link', () => {
  it('share, accept, list, link create/list/revoke by URL, leave', async () => {
    const a = await signup(s.url);
    const b = await signup(s.url);
    await putFile(s.url, a, 'Team/plan.txt', 'the plan');
    const ca = await cli(a, 'a');
    const cb = await cli(b, 'b', 'pw-for-link');
    expect((await ca('share', 'add', 'Team', '--email', b.email, '--role', 'editor'))[0]).toContain('invited');
    const inv = JSON.parse((await cb('share', 'list', '--json')).join('\n'));
    expect(inv.invitations).toHaveLength(1);
    expect((await cb('share', 'accept', inv.invitations[0].id, '--path', 'Work/Team'))[0]).toBe('cairn: accepted; mounted at Work/Team as editor');
    const listed = await ca('share', 'list');
    expect(listed[0]).toMatch(/^Team {2}\(owner; "Team" owned by /u);
    expect(listed).toContain(`  ${b.email}  editor`);

    // B links a file inside the mounted folder (resolved to the shared namespace), with a password.
    const [url] = await cb('link', 'create', 'Work/Team/plan.txt', '--expires', '7d', '--password-stdin');
    expect(url).toMatch(new RegExp(`^${s.url}/s/cairn_l_`, 'u'));
    expect((await fetch(url!)).status).toBe(401);
    const links = await cb('link', 'list');
    expect(links[0]).toMatch(/^[A-Za-z0-9_-]{16} {2}Work\/Team\/plan\.txt {2}expires .* {2}password$/u);
    expect(linkIdOf(url!)).toBe(links[0]!.slice(0, 16));
    await cb('link', 'revoke', url!);
    expect((await fetch(url!)).status).toBe(410);

    expect(await cb('share', 'leave', 'Work/Team')).toEqual(['cairn: left Work/Team']);
    expect(JSON.parse((await cb('share', 'list', '--json')).join('\n')).shares).toEqual([]);
    await expect(cb('share', 'leave', 'Work')).rejects.toMatchObject({ code: 'not_shared' });
  });

  it('an invitation id that starts with "-" (issued before D43) is listed and accepted after --', async () => {
    const a = await signup(s.url);
    const b = await signup(s.url);
    await putFile(s.url, a, 'Old/x.txt', 'x');
    const ca = await cli(a, 'a2');
    const cb = await cli(b, 'b2');
    await ca('share', 'add', 'Old', '--email', b.email, '--role', 'viewer');
    // The server no longer issues such ids, so make one the way an older server did: in its DB.
    const legacy = '-oV601ECtPTKaZXX';
    const db = new Database(path.join(s.dataDir, 'meta.sqlite'));
    try {
      expect(db.prepare('UPDATE invitations SET id = ? WHERE email = ?').run(legacy, b.email).changes).toBe(1);
    } finally {
      db.close();
    }
    expect(await cb('share', 'list')).toContain(
      `invitation ${legacy}: "Old" from ${a.email} as viewer — cairn share accept [--path PATH] -- ${legacy}`,
    );
    // Without `--` commander reads it as an option; the CLI names the way out.
    const err = await cb('share', 'accept', legacy).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(CommanderError);
    expect(idOptionHint(err as CommanderError)).toBe(`cairn: usage: if ${legacy} is an id, write -- ${legacy} (after any options)`);
    expect(JSON.parse((await cb('share', 'list', '--json')).join('\n')).invitations).toHaveLength(1);
    expect(await cb('share', 'accept', '--path', 'Legacy', '--', legacy)).toEqual(['cairn: accepted; mounted at Legacy as viewer']);
    // Only an id-shaped unknown option gets the hint.
    const other = await cb('share', 'accept', '--bogus').then(() => null, (e: unknown) => e);
    expect(idOptionHint(other as CommanderError)).toBeNull();
  });

  it('helpers: durations, link ids, home paths, mount resolution', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(() => parseDuration('soon')).toThrow(/bad duration/u);
    expect(linkIdOf('abc123')).toBe('abc123');
    expect(homePath('./Team/x/', null)).toBe('Team/x');
    expect(homePath('/sync/Team/x', '/sync')).toBe('Team/x');
    const acct: any = { home_ns: 'H', namespaces: [{ ns: 'H', role: 'owner', mount_path: '' }, { ns: 'S', role: 'editor', mount_path: 'Work/Team' }] };
    expect(resolveMount(acct, 'work/team')).toEqual({ ns: 'S', rel: '', mountPoint: true });
    expect(resolveMount(acct, 'Work/Team/a/b.txt')).toEqual({ ns: 'S', rel: 'a/b.txt', mountPoint: false });
    expect(resolveMount(acct, 'Work/Teamwork')).toEqual({ ns: 'H', rel: 'Work/Teamwork', mountPoint: false });
  });
});
