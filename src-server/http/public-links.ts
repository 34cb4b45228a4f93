/**
 * The public link endpoints outside the API (OTHER_ENDPOINTS.linkPage/linkPassword/
 * linkDownload): an HTML page, a password form, and the download (a file with HTTP Range, a
 * folder as a zip stream written by yazl while the blocks stream in).
 *
 * Security: only the token's SHA-256 is looked up; every answer carries a strict CSP,
 * `Referrer-Policy: no-referrer` (the token is in the URL), `Cache-Control: no-store` and
 * nosniff. A correct password sets an HttpOnly, SameSite=Strict cookie scoped to the link's
 * path holding an HMAC grant (server key in memory, one hour) — the password itself is never
 * stored client-side. Failed guesses are limited per link and per IP ({@link GuessLimiter}).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZipFile } from 'yazl';
import { CairnError, normalizePath, type ErrorCode } from '../../src-shared/index.ts';
import { verifyPassword } from '../auth/password.ts';
import { LINK_TOKEN_RE, linkTokenDigest } from '../auth/link-token.ts';
import type { LinkTarget } from '../store/metadata.ts';
import type { AppContext } from './context.ts';
import { GuessLimiter } from './guess-limiter.ts';
import { LINK_PAGE_CSP, filePage, folderPage, messagePage, passwordPage } from './link-page.ts';
import { parseRange } from './range.ts';
import { streamBlocks } from './stream-blocks.ts';

/** Most files a folder page lists (the zip has them all). */
const PAGE_FILES = 1000;
/** Most files in one zip download. */
const ZIP_FILES = 100_000;
/** Lifetime of a password grant cookie (ms). */
const GRANT_MS = 3600_000;
/** Default budgets of failed password guesses per window (RateLimits.linkGuessPer*). */
const DEFAULT_GUESSES_PER_LINK = 10;
const DEFAULT_GUESSES_PER_IP = 30;

type Resolved = { id: string; passwordHash: string | null; target: LinkTarget };

/** Registers `/s/:token`, its password form and `/s/:token/download` (encapsulated: own form parser). */
export async function registerPublicLinks(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const grantKey = randomBytes(32);
  const perLink = new GuessLimiter(ctx.rateLimits.linkGuessPerLink ?? DEFAULT_GUESSES_PER_LINK, ctx.rateLimits.windowMs);
  const perIp = new GuessLimiter(ctx.rateLimits.linkGuessPerIp ?? DEFAULT_GUESSES_PER_IP, ctx.rateLimits.windowMs);
  const sign = (id: string, exp: number) => createHmac('sha256', grantKey).update(`${id}.${exp}`).digest('base64url');
  const cookieName = (id: string) => `cairn_link_${id.replace(/[^A-Za-z0-9]/gu, '')}`;

  function granted(req: FastifyRequest, id: string): boolean {
    const want = `${cookieName(id)}=`;
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const c = part.trim();
      if (!c.startsWith(want)) continue;
      const [expRaw, sig] = c.slice(want.length).split('.');
      const exp = Number(expRaw);
      if (!Number.isFinite(exp) || exp < Date.now() || !sig) continue;
      const a = Buffer.from(sig);
      const b = Buffer.from(sign(id, exp));
      if (a.length === b.length && timingSafeEqual(a, b)) return true;
    }
    return false;
  }

  function page(reply: FastifyReply, status: number, html: string, code?: ErrorCode): FastifyReply {
    if (code) reply.header('x-cairn-error', code);
    return reply.code(status).type('text/html; charset=utf-8').send(html);
  }

  /** Resolves the token, or answers the error page and returns null. */
  async function resolve(req: FastifyRequest, reply: FastifyReply): Promise<Resolved | null> {
    const { token } = req.params as { token: string };
    if (!LINK_TOKEN_RE.test(token)) {
      page(reply, 404, messagePage('Link not found', 'This link does not exist. Check that you copied all of it.'), 'not_found');
      return null;
    }
    const r = await ctx.store.resolveLink(linkTokenDigest(token).hash, Date.now());
    if (r.status === 'ok') return r;
    if (r.status === 'revoked') page(reply, 410, messagePage('Link revoked', 'The owner has turned this link off.'), 'link_revoked');
    else if (r.status === 'expired') page(reply, 410, messagePage('Link expired', 'This link has expired. Ask the owner for a new one.'), 'link_expired');
    else page(reply, 404, messagePage('Link not found', 'This link does not exist, or what it pointed to was deleted.'), 'not_found');
    return null;
  }

  function needsPassword(req: FastifyRequest, reply: FastifyReply, r: Resolved): boolean {
    if (r.passwordHash === null || granted(req, r.id)) return false;
    page(reply, 401, passwordPage(r.target.name, false), 'link_password');
    return true;
  }

  await app.register(async (sub) => {
    sub.addHook('onSend', async (_req, reply) => {
      reply
        .header('content-security-policy', LINK_PAGE_CSP)
        .header('referrer-policy', 'no-referrer')
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store');
    });
    sub.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    sub.get('/s/:token', async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r || needsPassword(req, reply, r)) return reply;
      const { token } = req.params as { token: string };
      const t = r.target;
      if (t.kind === 'file') return page(reply, 200, filePage(t.name, t.entry.size, t.entry.mtime, `${token}/download`));
      const rows = await ctx.store.linkFiles(t.ns, t.path, PAGE_FILES + 1);
      const files = rows
        .filter((e) => e.kind === 'file')
        .slice(0, PAGE_FILES)
        .map((e) => ({ rel: t.path === '' ? e.path : e.path.slice(t.path.length + 1), size: e.size, mtime: e.mtime }));
      const more = rows.length > PAGE_FILES;
      return page(reply, 200, folderPage(t.name, files, more, `${token}/download`, (rel) => `${token}/download?path=${encodeURIComponent(rel)}`));
    });

    sub.post('/s/:token', async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return reply;
      if (r.passwordHash === null) return reply.code(303).header('location', (req.params as { token: string }).token).send();
      const now = Date.now();
      const ipKey = `ip:${req.ip}`;
      const linkKey = `link:${r.id}`;
      if (perLink.blocked(linkKey, now) || perIp.blocked(ipKey, now)) {
        reply.header('retry-after', String(Math.ceil(ctx.rateLimits.windowMs / 1000)));
        return page(reply, 429, messagePage('Too many attempts', 'Too many wrong passwords. Wait a minute and try again.'), 'rate_limited');
      }
      const password = (req.body as { password?: unknown } | undefined)?.password;
      const ok = typeof password === 'string' && password.length <= 1024 && (await verifyPassword(password, r.passwordHash));
      if (!ok) {
        perLink.fail(linkKey, now);
        perIp.fail(ipKey, now);
        return page(reply, 401, passwordPage(r.target.name, true), 'link_password');
      }
      const exp = now + GRANT_MS;
      const { token } = req.params as { token: string };
      const secure = req.protocol === 'https' ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${cookieName(r.id)}=${exp}.${sign(r.id, exp)}; Path=/s/${token}; Max-Age=${GRANT_MS / 1000}; HttpOnly; SameSite=Strict${secure}`,
      );
      return reply.code(303).header('location', token).send();
    });

    sub.get('/s/:token/download', async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r || needsPassword(req, reply, r)) return reply;
      const t = r.target;
      const rel = (req.query as { path?: unknown }).path;
      if (t.kind === 'folder' && rel === undefined) return zip(reply, t);
      let path = t.path;
      if (t.kind === 'folder') {
        let norm: string;
        try {
          norm = normalizePath(String(rel));
        } catch {
          return page(reply, 404, messagePage('File not found', 'There is no such file in this folder.'), 'not_found');
        }
        path = t.path === '' ? norm : `${t.path}/${norm}`;
      } else if (rel !== undefined) {
        return page(reply, 404, messagePage('File not found', 'This link is to a single file.'), 'not_found');
      }
      let target;
      try {
        target = await ctx.store.downloadTarget(t.ns, path, undefined);
      } catch (err) {
        if (err instanceof CairnError && (err.code === 'not_found' || err.code.startsWith('path') || err.code === 'name_too_long')) {
          return page(reply, 404, messagePage('File not found', 'There is no such file in this folder.'), 'not_found');
        }
        throw err;
      }
      const name = path.slice(path.lastIndexOf('/') + 1);
      reply
        .header('etag', `"${target.content_hash}"`)
        .header('accept-ranges', 'bytes')
        .header('content-disposition', disposition(name));
      const range = parseRange(req.headers.range, target.size);
      if (range === 'unsatisfiable') {
        reply.header('content-range', `bytes */${target.size}`);
        return page(reply, 416, messagePage('Range not satisfiable', 'The requested byte range is outside the file.'), 'range_not_satisfiable');
      }
      const { start, end } = range ?? { start: 0, end: target.size };
      reply.type('application/octet-stream').header('content-length', String(end - start));
      if (range) reply.code(206).header('content-range', `bytes ${start}-${end - 1}/${target.size}`);
      const metric = ctx.metrics.blockDownloadBytes;
      return reply.send(streamBlocks(ctx.blocks, target.blocks, start, end, (n) => metric.inc(n)));
    });
  });

  /** Streams the linked folder as a zip (stored, not deflated: most synced bytes are compressed already). */
  async function zip(reply: FastifyReply, t: LinkTarget): Promise<FastifyReply> {
    const entries = await ctx.store.linkFiles(t.ns, t.path, ZIP_FILES);
    const z = new ZipFile();
    // yazl refuses names that look absolute (`C:…`): such a top folder name gets a `_` prefix.
    const top = /^[a-zA-Z]:/u.test(t.name) ? `_${t.name}` : t.name;
    for (const e of entries) {
      const inside = `${top}/${t.path === '' ? e.path : e.path.slice(t.path.length + 1)}`;
      if (e.kind === 'folder') {
        z.addEmptyDirectory(inside, { mtime: new Date(e.mtime) });
        continue;
      }
      z.addReadStreamLazy(inside, { mtime: new Date(e.mtime), compress: false }, (cb) => {
        ctx.store.downloadTarget(t.ns, e.path, e.rev ?? undefined).then(
          (d) => cb(null, streamBlocks(ctx.blocks, d.blocks, 0, d.size, (n) => ctx.metrics.blockDownloadBytes.inc(n))),
          (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
        );
      });
    }
    z.on('error', (err) => {
      ctx.log.error({ err }, 'zip stream failed');
      z.outputStream.destroy(err);
    });
    z.end();
    reply.type('application/zip').header('content-disposition', disposition(`${t.name}.zip`));
    return reply.send(z.outputStream);
  }
}

/** `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / RFC 8187). */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/gu, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
