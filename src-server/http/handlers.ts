/**
 * One handler per protocol route (the map is checked against src-shared/protocol/routes.ts
 * at compile time: a route without a handler does not typecheck). Handlers get validated
 * input and the authenticated caller, call the stores, and return the success body; errors
 * are thrown as CairnError and rendered by the app's error handler.
 */
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CairnError,
  DEFAULT_PAGE_LIMIT,
  MAX_BLOCK_BYTES,
  decodeCursor,
  type RouteInput,
  type RouteName,
  type RouteOutput,
} from '../../src-shared/index.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/password.ts';
import { newToken } from '../auth/token.ts';
import type { AuthContext } from '../store/metadata.ts';
import type { AppContext } from './context.ts';
import { actor, me } from './caller.ts';
import { parseRange } from './range.ts';
import { sharingHandlers } from './sharing-handlers.ts';
import { streamBlocks } from './stream-blocks.ts';

/** Rate limiters the auth handlers consult (created by the app from @fastify/rate-limit). */
export interface AuthLimiters {
  /** Counts one request of `req` against `key`'s budget; true when over the limit. */
  signupIp(req: FastifyRequest): Promise<boolean>;
  loginIp(req: FastifyRequest): Promise<boolean>;
  /** `peek` does not consume budget (failed log-ins only consume it). */
  loginEmail(req: FastifyRequest, consume: boolean): Promise<boolean>;
}

/** Everything a handler gets. `auth` is non-null on routes with `auth: true`. */
export interface Call<N extends RouteName> {
  input: RouteInput<N>;
  auth: AuthContext | null;
  req: FastifyRequest;
  reply: FastifyReply;
  ctx: AppContext;
  limiters: AuthLimiters;
  now: number;
}

/** A handler of route `N`: validated input in, success body (or a byte stream) out. */
export type Handler<N extends RouteName> = (c: Call<N>) => Promise<RouteOutput<N> | Readable | Buffer | undefined>;
/** One handler per route name. */
export type HandlerMap = { [N in RouteName]: Handler<N> };

export const handlers: HandlerMap = {
  // ---- accounts and devices -------------------------------------------------------------
  async signup(c) {
    if (await c.limiters.signupIp(c.req)) throw new CairnError('rate_limited');
    const { email, password, device_name } = c.input.body;
    const passwordHash = await hashPassword(password);
    const tok = newToken();
    const r = await c.ctx.store.createAccount({
      email,
      passwordHash,
      quotaBytes: c.ctx.defaultQuotaBytes,
      device: { name: device_name, tokenHash: tok.hash },
      now: c.now,
    });
    return { account_id: r.accountId, device_id: r.deviceId!, token: tok.token, home_ns: r.homeNs };
  },

  async login(c) {
    if (await c.limiters.loginIp(c.req)) throw new CairnError('rate_limited');
    if (await c.limiters.loginEmail(c.req, false)) throw new CairnError('rate_limited');
    const { email, password, device_name } = c.input.body;
    const acct = await c.ctx.store.findAccountByEmail(email);
    // Spend the same scrypt time for unknown emails: no account enumeration by timing.
    const ok = await verifyPassword(password, acct?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!acct || !ok) {
      await c.limiters.loginEmail(c.req, true);
      throw new CairnError('invalid_credentials');
    }
    const tok = newToken();
    const deviceId = await c.ctx.store.addDevice(acct.accountId, device_name, tok.hash, c.now);
    return { account_id: acct.accountId, device_id: deviceId, token: tok.token, home_ns: acct.homeNs };
  },

  async logout(c) {
    const a = me(c);
    await c.ctx.store.revokeDevice(a.accountId, a.deviceId, c.now);
    c.ctx.closeDeviceSockets(a.deviceId);
    return undefined;
  },

  async account(c) {
    return c.ctx.store.account(me(c).accountId);
  },

  async listDevices(c) {
    const a = me(c);
    return { devices: await c.ctx.store.listDevices(a.accountId, a.deviceId) };
  },

  async revokeDevice(c) {
    await c.ctx.store.revokeDevice(me(c).accountId, c.input.params.id, c.now);
    c.ctx.closeDeviceSockets(c.input.params.id);
    return undefined;
  },

  // ---- blocks ---------------------------------------------------------------------------
  async checkBlocks(c) {
    const a = me(c);
    // The caller's uploads still being made durable settle first: the answer is exact (a block
    // lost meanwhile is missing again).
    await c.ctx.pendingBlocks.settle(a.accountId, c.input.body.hashes);
    return { missing: await c.ctx.store.missingBlocks(a.accountId, c.input.body.hashes) };
  },

  async putBlock(c) {
    const a = me(c);
    const { hash } = c.input.params;
    const declared = Number(c.req.headers['content-length'] ?? 0);
    if (declared > MAX_BLOCK_BYTES) throw new CairnError('block_too_large', undefined, { max_bytes: MAX_BLOCK_BYTES });
    const body = c.req.body as AsyncIterable<Uint8Array> | undefined;
    const source: AsyncIterable<Uint8Array> = body && Symbol.asyncIterator in Object(body) ? body : (async function* () {})();
    const r = await c.ctx.blockLocks.run(hash, async () => {
      const put = await c.ctx.blocks.put(hash, source, MAX_BLOCK_BYTES);
      // Already durable (stored before): recorded in the same lock hold as the store saw the file,
      // so GC cannot delete the bytes in between.
      if (put.durable === null) await c.ctx.store.recordBlock(a.accountId, hash, put.size, c.now);
      return put;
    });
    const durable = r.durable;
    if (durable !== null) {
      // Answered now; made durable and recorded in the background. A commit naming the block
      // waits for this (pendingBlocks.settle); a crash before it loses the block, and the
      // commit's `block_missing` makes the client upload it again.
      c.ctx.pendingBlocks.track(a.accountId, hash, async () => {
        await durable;
        await c.ctx.blockLocks.run(hash, () => c.ctx.store.recordBlock(a.accountId, hash, r.size, c.now));
      });
    }
    c.ctx.metrics.blockUploadBytes.inc(r.size);
    return { hash, size: r.size };
  },

  async getBlock(c) {
    const { hash } = c.input.params;
    // The caller's own upload still being made durable is readable to it (read your writes).
    await c.ctx.pendingBlocks.settle(me(c).accountId, [hash]);
    const size = await c.ctx.store.readableBlock(me(c).accountId, hash);
    if (size === null) throw new CairnError('not_found');
    const lease = await c.ctx.blocks.readLease(hash).catch(() => {
      throw new CairnError('internal', 'block bytes missing from the block store');
    });
    // The pooled buffer goes back once the response is done with it (sent, or the client left).
    c.reply.raw.once('close', lease.release);
    const bytes = lease.data;
    c.ctx.metrics.blockDownloadBytes.inc(bytes.length);
    c.reply.header('content-type', 'application/octet-stream').header('etag', `"${hash}"`);
    return bytes;
  },

  // ---- files ----------------------------------------------------------------------------
  async commit(c) {
    // Blocks still being made durable: the commit is answered only once they are (D7).
    await c.ctx.pendingBlocks.settle(me(c).accountId, c.input.body.blocks);
    const entry = await c.ctx.store.commit(actor(c), c.input.params.ns, c.input.body);
    c.ctx.metrics.commits.inc();
    return { entry };
  },

  async commitBatch(c) {
    await c.ctx.pendingBlocks.settle(me(c).accountId, c.input.body.commits.flatMap((x) => x.blocks));
    const results = await c.ctx.store.commitBatch(actor(c), c.input.params.ns, c.input.body.commits);
    c.ctx.metrics.commits.inc(results.filter((r) => r.ok).length);
    return { results };
  },

  async mkdir(c) {
    return { entry: await c.ctx.store.mkdir(actor(c), c.input.params.ns, c.input.body.path) };
  },

  async move(c) {
    const b = c.input.body;
    return { entry: await c.ctx.store.move(actor(c), c.input.params.ns, b.from, b.to, b.parent_rev) };
  },

  async delete(c) {
    const b = c.input.body;
    return { entry: await c.ctx.store.delete(actor(c), c.input.params.ns, b.path, b.parent_rev, b.unchanged_since) };
  },

  async undelete(c) {
    return { entry: await c.ctx.store.undelete(actor(c), c.input.params.ns, c.input.body.path) };
  },

  async listDeleted(c) {
    const q = c.input.query;
    return c.ctx.store.listDeleted(c.input.params.ns, q.path ?? '', q.after, q.limit ?? DEFAULT_PAGE_LIMIT);
  },

  async revisions(c) {
    const q = c.input.query;
    return { revisions: await c.ctx.store.revisions(c.input.params.ns, q.path, q.limit ?? DEFAULT_PAGE_LIMIT) };
  },

  async restore(c) {
    const entry = await c.ctx.store.restore(actor(c), c.input.params.ns, c.input.body.path, c.input.body.rev);
    c.ctx.metrics.commits.inc();
    return { entry };
  },

  async list(c) {
    const q = c.input.query;
    return c.ctx.store.list(c.input.params.ns, q.path ?? '', q.after, q.limit ?? DEFAULT_PAGE_LIMIT);
  },

  async snapshot(c) {
    const q = c.input.query;
    return c.ctx.store.snapshot(c.input.params.ns, q.after, q.limit ?? DEFAULT_PAGE_LIMIT);
  },

  async meta(c) {
    const q = c.input.query;
    return { entry: await c.ctx.store.meta(c.input.params.ns, q.path, q.include_deleted ?? false) };
  },

  async download(c) {
    const q = c.input.query;
    const t = await c.ctx.store.downloadTarget(c.input.params.ns, q.path, q.rev);
    const range = parseRange(c.req.headers.range, t.size);
    c.reply.header('etag', `"${t.content_hash}"`).header('accept-ranges', 'bytes');
    if (range === 'unsatisfiable') {
      c.reply.header('content-range', `bytes */${t.size}`);
      throw new CairnError('range_not_satisfiable', undefined, { size: t.size });
    }
    const { start, end } = range ?? { start: 0, end: t.size };
    c.reply.header('content-type', 'application/octet-stream').header('content-length', String(end - start));
    if (range) c.reply.code(206).header('content-range', `bytes ${start}-${end - 1}/${t.size}`);
    const metric = c.ctx.metrics.blockDownloadBytes;
    return streamBlocks(c.ctx.blocks, t.blocks, start, end, (n) => metric.inc(n));
  },

  // ---- journal --------------------------------------------------------------------------
  async changes(c) {
    const q = c.input.query;
    return c.ctx.store.changes(me(c).accountId, q.cursor, q.limit ?? DEFAULT_PAGE_LIMIT);
  },

  async waitChanges(c) {
    const a = me(c);
    const cursor = decodeCursor(c.input.query.cursor);
    const timeout = c.input.query.timeout_ms ?? 30_000;
    const { hub, store, shutdown } = c.ctx;
    const behind = (seqs: Record<string, number>) =>
      Object.entries(seqs).some(([ns, seq]) => cursor.ns[ns] === undefined || cursor.ns[ns]! < seq);
    let unsubscribe = () => {};
    let timer: NodeJS.Timeout | undefined;
    let onAbort = () => {};
    c.ctx.metrics.longPolls.inc();
    try {
      const woke = new Promise<boolean>((resolve) => {
        onAbort = () => resolve(false);
        timer = setTimeout(() => resolve(false), timeout);
        shutdown.addEventListener('abort', onAbort);
        c.reply.raw.once('close', onAbort);
        // Subscribe before reading the seqs so that no advance can slip between the two.
        void store.seqs(a.accountId).then((seqs) => {
          unsubscribe = hub.subscribe(Object.keys(seqs), (ns, seq) => {
            if (cursor.ns[ns] === undefined || cursor.ns[ns]! < seq) resolve(true);
          });
          return store.seqs(a.accountId).then((now) => {
            if (behind(now)) resolve(true);
          });
        }, () => resolve(false));
      });
      return { changes: await woke };
    } finally {
      c.ctx.metrics.longPolls.dec();
      clearTimeout(timer);
      unsubscribe();
      shutdown.removeEventListener('abort', onAbort);
      c.reply.raw.off('close', onAbort);
    }
  },
  ...sharingHandlers,
};
