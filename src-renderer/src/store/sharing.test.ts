import { describe, expect, it, vi } from 'vitest';
import type { LinkInfo } from '../../../src-shared/control.ts';
import type { Invitation, Share } from '../../../src-shared/protocol/model.ts';
import { ControlError } from '../bridge/errors.ts';
import { createFirstRunStore } from './firstRun.ts';
import { cleanPath, createSharingStore, expiresAt, validateInvite } from './sharing.ts';
import { fakeApi } from './test-fakes.ts';

const NOW = 1_800_000_000_000;

const team: Share = {
  ns: 'ns_team',
  name: 'Team',
  owner_email: 'a@example.com',
  role: 'owner',
  mount_path: 'Work/Team',
  members: [
    { account_id: 'acc_a', email: 'a@example.com', role: 'owner', status: 'member', invitation_id: null },
    { account_id: 'acc_b', email: 'b@example.com', role: 'editor', status: 'member', invitation_id: null },
  ],
};
const invitation: Invitation = {
  id: 'inv1',
  ns: 'ns_x',
  name: 'Plans',
  owner_email: 'c@example.com',
  role: 'viewer',
  created_at: NOW,
};
const link = (id: string, patch: Partial<LinkInfo> = {}): LinkInfo => ({
  id,
  ns: 'ns_home',
  path: 'report.pdf',
  kind: 'file',
  created_at: NOW,
  expires_at: null,
  has_password: false,
  expired: false,
  home_path: 'report.pdf',
  url: null,
  ...patch,
});

/** A sharing store over a fake API with one share, one invitation and one link. */
function setup(over: Parameters<typeof fakeApi>[0] = {}, copyText = vi.fn(async (_t: string) => {})) {
  const api = fakeApi({
    shares: () => ({ shares: [team], invitations: [invitation] }),
    links: () => ({ links: [link('L1')] }),
    ...over,
  });
  const store = createSharingStore(api, { copyText, now: () => NOW });
  return { api, store, copyText };
}

describe('sharing store', () => {
  it('loads shares, invitations (accept path defaults to the folder name) and links', async () => {
    const { store } = setup();
    await store.getState().load();
    const s = store.getState();
    expect(s.loaded).toBe(true);
    expect(s.shares.map((x) => x.mount_path)).toEqual(['Work/Team']);
    expect(s.invitations.map((i) => i.id)).toEqual(['inv1']);
    expect(s.acceptPaths).toEqual({ inv1: 'Plans' });
    expect(s.links.map((l) => l.id)).toEqual(['L1']);
  });

  it('a failing list shows its error but keeps what the other call got', async () => {
    const { store } = setup({
      links: () => {
        throw new ControlError('offline', 'server unreachable');
      },
    });
    await store.getState().load();
    expect(store.getState().shares).toHaveLength(1);
    expect(store.getState().error).toMatch(/cannot be reached/);
  });

  it('inviting to a new folder: checks the form, cleans the path, then goes on with the new share', async () => {
    const { api, store } = setup({
      shareAdd: (i) => ({
        ns: 'ns_new',
        member: { account_id: null, email: i.email, role: i.role, status: 'pending', invitation_id: 'inv9' },
      }),
    });
    store.getState().openDialog({ kind: 'new', path: '' });
    expect(await store.getState().sendInvite()).toBe(false);
    expect(store.getState().error).toBe('Choose the folder to share.');
    store.getState().editNewPath('/Projects/Q3/');
    store.getState().editInvite({ email: 'not-an-email' });
    expect(await store.getState().sendInvite()).toBe(false);
    expect(store.getState().error).toMatch(/email address/);
    expect(api.shareAdd).not.toHaveBeenCalled();
    store.getState().editInvite({ email: ' d@example.com ', role: 'viewer' });
    expect(await store.getState().sendInvite()).toBe(true);
    expect(api.shareAdd).toHaveBeenCalledWith({
      path: 'Projects/Q3',
      email: 'd@example.com',
      role: 'viewer',
    });
    const s = store.getState();
    expect(s.dialog).toEqual({ kind: 'share', ns: 'ns_new' });
    expect(s.invite).toEqual({ email: '', role: 'editor' });
    expect(s.message).toMatch(/Invited d@example.com as viewer/);
    expect(api.shares).toHaveBeenCalled(); // reloaded
  });

  it('inviting into an existing share names it by its mount path', async () => {
    const { api, store } = setup({
      shareAdd: () => ({
        ns: 'ns_team',
        member: {
          account_id: null,
          email: 'e@example.com',
          role: 'editor',
          status: 'pending',
          invitation_id: 'i',
        },
      }),
    });
    await store.getState().load();
    store.getState().openDialog({ kind: 'share', ns: 'ns_team' });
    store.getState().editInvite({ email: 'e@example.com' });
    await store.getState().sendInvite();
    expect(api.shareAdd).toHaveBeenCalledWith({ path: 'Work/Team', email: 'e@example.com', role: 'editor' });
  });

  it('changes a role; removing a member takes a second click', async () => {
    const { api, store } = setup({
      shareSetRole: () => ({ member: team.members[1]! }),
      shareRemove: () => ({}),
    });
    await store.getState().load();
    await store.getState().setRole('ns_team', 'b@example.com', 'viewer');
    expect(api.shareSetRole).toHaveBeenCalledWith({
      path: 'Work/Team',
      email: 'b@example.com',
      role: 'viewer',
    });
    expect(store.getState().message).toBe('b@example.com is now a viewer.');
    expect(await store.getState().confirmNow()).toBe(false); // nothing asked: nothing done
    store.getState().ask({ kind: 'remove', ns: 'ns_team', email: 'b@example.com' });
    expect(api.shareRemove).not.toHaveBeenCalled();
    await store.getState().confirmNow();
    expect(api.shareRemove).toHaveBeenCalledWith({ path: 'Work/Team', email: 'b@example.com' });
    expect(store.getState().confirm).toBeNull();
  });

  it('leaving and unsharing close the dialog; a refusal keeps it open with the reason', async () => {
    const { api, store } = setup({
      shareLeave: () => {
        throw new ControlError(
          'owner_cannot_leave',
          'The owner cannot leave or be removed: unshare the folder instead.',
        );
      },
      shareUnshare: () => ({}),
    });
    await store.getState().load();
    store.getState().openDialog({ kind: 'share', ns: 'ns_team' });
    store.getState().ask({ kind: 'leave', ns: 'ns_team' });
    expect(await store.getState().confirmNow()).toBe(false);
    expect(store.getState().dialog).not.toBeNull();
    expect(store.getState().error).toMatch(/unshare the folder instead/);
    expect(store.getState().busy).toBe(false);
    store.getState().ask({ kind: 'unshare', ns: 'ns_team' });
    expect(await store.getState().confirmNow()).toBe(true);
    expect(api.shareUnshare).toHaveBeenCalledWith({ path: 'Work/Team' });
    expect(store.getState().dialog).toBeNull();
    expect(store.getState().message).toMatch(/no longer shared/);
  });

  it('accepts an invitation at the typed path, or declines it', async () => {
    const { api, store } = setup({
      shareAccept: (i) => ({ mount: { ns: 'ns_x', role: 'viewer', mount_path: i.path ?? 'Plans' } }),
      shareDecline: () => ({}),
    });
    await store.getState().load();
    store.getState().setAcceptPath('inv1', ' Shared/Plans/ ');
    await store.getState().accept('inv1');
    expect(api.shareAccept).toHaveBeenCalledWith({ id: 'inv1', path: 'Shared/Plans' });
    expect(store.getState().message).toBe('Accepted. The folder is in your Cairn at Shared/Plans.');
    store.getState().setAcceptPath('inv1', '');
    await store.getState().accept('inv1');
    expect(api.shareAccept).toHaveBeenLastCalledWith({ id: 'inv1' }); // the server picks the name
    await store.getState().decline('inv1');
    expect(api.shareDecline).toHaveBeenCalledWith({ id: 'inv1' });
  });

  it('creates a link with expiry and password, shows its URL, and forgets the password', async () => {
    const url = 'http://srv/s/cairn_l_xyz';
    const { api, store } = setup({
      linkCreate: (i) => ({ link: link('L2', { home_path: i.path, url }), url }),
    });
    expect(await store.getState().createLink()).toBe(false);
    expect(store.getState().error).toMatch(/file or folder/);
    store.getState().editLink({ path: 'Photos/', expiry: '7d', password: 'hunter22' });
    expect(await store.getState().createLink()).toBe(true);
    expect(api.linkCreate).toHaveBeenCalledWith({
      path: 'Photos',
      expires_at: NOW + 7 * 86_400_000,
      password: 'hunter22',
    });
    expect(store.getState().created).toEqual({ id: 'L2', url });
    expect(store.getState().linkForm).toEqual({ path: '', expiry: 'never', password: '' });
    // No expiry and no password: neither is sent.
    store.getState().editLink({ path: 'a.txt' });
    await store.getState().createLink();
    expect(api.linkCreate).toHaveBeenLastCalledWith({ path: 'a.txt' });
  });

  it('copies a link; a clipboard failure says so', async () => {
    const copyText = vi.fn(async (_t: string) => {});
    const { store } = setup({}, copyText);
    expect(await store.getState().copy('http://srv/s/x')).toBe(true);
    expect(copyText).toHaveBeenCalledWith('http://srv/s/x');
    expect(store.getState().message).toBe('Link copied.');
    copyText.mockRejectedValueOnce(new Error('denied'));
    expect(await store.getState().copy('http://srv/s/x')).toBe(false);
    expect(store.getState().error).toBe('Could not copy: denied');
  });

  it('revokes a link after a second click and drops it from "new link"', async () => {
    const { api, store } = setup({
      linkCreate: () => ({ link: link('L1'), url: 'http://srv/s/1' }),
      linkRevoke: () => ({}),
    });
    store.getState().editLink({ path: 'report.pdf' });
    await store.getState().createLink();
    store.getState().ask({ kind: 'revoke', id: 'L1' });
    await store.getState().confirmNow();
    expect(api.linkRevoke).toHaveBeenCalledWith({ id: 'L1' });
    expect(store.getState().created).toBeNull();
    expect(store.getState().message).toBe('The link to report.pdf no longer works.');
  });

  it('helpers: path cleaning, expiry, invite checks', () => {
    expect(cleanPath(' ./Team\\Docs/ ')).toBe('Team/Docs');
    expect(cleanPath('/Team')).toBe('Team');
    expect(expiresAt('never', NOW)).toBeUndefined();
    expect(expiresAt('1d', NOW)).toBe(NOW + 86_400_000);
    expect(validateInvite('Team', { email: 'x@y.z', role: 'editor' })).toBeNull();
  });
});

describe('first run: the folder dialog', () => {
  it('puts the chosen folder in the form, starting from what is typed; cancel changes nothing', async () => {
    const api = fakeApi({ pickFolder: (i) => ({ path: i.default_path ? `${i.default_path}/Cairn` : null }) });
    const s = createFirstRunStore(api, {}, { picker: true });
    await s.getState().pickFolder();
    expect(s.getState().form.folder).toBe('');
    s.getState().set({ folder: '/home/u' });
    await s.getState().pickFolder();
    expect(api.pickFolder).toHaveBeenLastCalledWith({
      title: 'Choose your Cairn folder',
      default_path: '/home/u',
    });
    expect(s.getState().form.folder).toBe('/home/u/Cairn');
    expect(s.getState().picking).toBe(false);
  });

  it('where there is no dialog (unsupported) it hides the button and asks for the typed path', async () => {
    const api = fakeApi({
      pickFolder: () => {
        throw new ControlError('unsupported', 'no dialog in browser mode');
      },
    });
    const s = createFirstRunStore(api, {}, { picker: true });
    await s.getState().pickFolder();
    expect(s.getState().pickerAvailable).toBe(false);
    expect(s.getState().error).toBe('There is no folder dialog here: type the folder path.');
    expect(createFirstRunStore(api).getState().pickerAvailable).toBe(false); // browser default
  });
});
