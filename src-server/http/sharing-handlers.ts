/**
 * Handlers of the shared-folder and public-link routes (merged into handlers.ts's map).
 * Role checks on `:ns` already happened in register.ts; what needs more than a role (an
 * invitation addressed to the caller, a link the caller created) is checked by the store.
 * After a membership change the notify hub is told, so the accounts' sockets follow.
 */
import { CairnError } from '../../src-shared/index.ts';
import { hashPassword } from '../auth/password.ts';
import { newLinkToken } from '../auth/link-token.ts';
import { actor, me } from './caller.ts';
import type { HandlerMap } from './handlers.ts';

type SharingRoute =
  | 'share'
  | 'shareInfo'
  | 'setMemberRole'
  | 'removeMember'
  | 'leaveShare'
  | 'unshare'
  | 'listShares'
  | 'acceptInvitation'
  | 'declineInvitation'
  | 'createLink'
  | 'listLinks'
  | 'revokeLink';

/** Handlers of the sharing routes. */
export const sharingHandlers: Pick<HandlerMap, SharingRoute> = {
  async share(c) {
    const b = c.input.body;
    const out = await c.ctx.store.share(actor(c), c.input.params.ns, b.path, b.email, b.role);
    // The owner's home got a `mount` record when a folder became shared: new namespace to follow.
    c.ctx.hub.membershipChanged([me(c).accountId]);
    return out;
  },

  async shareInfo(c) {
    return c.ctx.store.shareInfo(me(c).accountId, c.input.params.ns);
  },

  async setMemberRole(c) {
    const b = c.input.body;
    return { member: await c.ctx.store.setMemberRole(actor(c), c.input.params.ns, b.email, b.role) };
  },

  async removeMember(c) {
    const removed = await c.ctx.store.removeMember(actor(c), c.input.params.ns, c.input.body.email);
    if (removed) c.ctx.hub.membershipChanged([removed]);
    return undefined;
  },

  async leaveShare(c) {
    await c.ctx.store.leaveShare(actor(c), c.input.params.ns);
    c.ctx.hub.membershipChanged([me(c).accountId]);
    return undefined;
  },

  async unshare(c) {
    c.ctx.hub.membershipChanged(await c.ctx.store.unshare(actor(c), c.input.params.ns));
    return undefined;
  },

  async listShares(c) {
    return c.ctx.store.listShares(me(c).accountId);
  },

  async acceptInvitation(c) {
    const mount = await c.ctx.store.acceptInvitation(actor(c), c.input.params.id, c.input.body.path);
    c.ctx.hub.membershipChanged([me(c).accountId]);
    return { mount };
  },

  async declineInvitation(c) {
    await c.ctx.store.declineInvitation(me(c).accountId, c.input.params.id);
    return undefined;
  },

  async createLink(c) {
    const b = c.input.body;
    if (b.expires_at !== undefined && b.expires_at <= c.now) throw new CairnError('bad_request', 'expires_at is in the past');
    const tok = newLinkToken();
    const passwordHash = b.password !== undefined ? await hashPassword(b.password) : null;
    const link = await c.ctx.store.createLink(actor(c), c.input.params.ns, b.path, {
      id: tok.id,
      tokenHash: tok.hash,
      expiresAt: b.expires_at ?? null,
      passwordHash,
    });
    return { link, token: tok.token, url: `/s/${tok.token}` };
  },

  async listLinks(c) {
    return { links: await c.ctx.store.listLinks(me(c).accountId, c.now) };
  },

  async revokeLink(c) {
    await c.ctx.store.revokeLink(me(c).accountId, c.input.params.id, c.now);
    return undefined;
  },
};
