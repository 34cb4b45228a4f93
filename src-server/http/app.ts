/**
 * Builds the fastify application: content-type parsers, error and not-found handlers that
 * always answer `CairnError.toBody()`, rate limiters, the protocol routes, the notify
 * WebSocket, `/healthz` and `/metrics`.
 */
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { CairnError, OTHER_ENDPOINTS } from '../../src-shared/index.ts';
import type { AppContext } from './context.ts';
import { toCairnError } from './errors.ts';
import type { AuthLimiters } from './handlers.ts';
import { DeviceSockets, WS_OPTIONS, registerNotify } from './notify-ws.ts';
import { registerPublicLinks } from './public-links.ts';
import { registerRoutes } from './register.ts';

/** Options of {@link buildApp} besides the shared context. */
export interface AppOptions {
  logger: FastifyServerOptions['logger'];
  https?: { cert: string | Buffer; key: string | Buffer } | null;
}

/**
 * Answers errors Node's HTTP parser raises before fastify sees a request (oversized headers,
 * malformed request lines) in the stable error format, then closes the connection. Found by
 * the server fuzz test: fastify's default answer had no stable code.
 */
function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const e =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new CairnError('headers_too_large')
      : new CairnError('bad_request', 'malformed HTTP request');
  const body = JSON.stringify(e.toBody());
  const reason = e.code === 'headers_too_large' ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${e.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Creates the app (not listening yet). `ctx.closeDeviceSockets` is wired here. */
export async function buildApp(ctx: AppContext, opts: AppOptions): Promise<FastifyInstance> {
  const base = { logger: opts.logger, forceCloseConnections: 'idle', return503OnClosing: false, clientErrorHandler } as const;
  const app = (opts.https ? Fastify({ ...base, https: opts.https }) : Fastify(base)) as unknown as FastifyInstance;
  ctx.log = app.log;
  app.decorateRequest('auth', null);
  // TypeBox validates the route map's schemas; it converts query and params strings
  // (limit=10 → 10) but never coerces JSON bodies (a path of 7 stays a bad request).
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // During shutdown, requests still arriving on open connections get `unavailable` (503).
  app.addHook('onRequest', async () => {
    if (ctx.shutdown.aborted) throw new CairnError('unavailable');
  });

  // Block uploads are streamed straight into the block store (hashed on the way), so the
  // parser hands over the raw request stream; size is enforced while streaming.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  app.setErrorHandler((err, req, reply) => {
    const e = toCairnError(err);
    if (e.code === 'internal') req.log.error({ err }, 'request failed');
    else req.log.debug({ code: e.code }, 'request refused');
    // A refused upload may still be streaming in: do not keep reading it.
    if (e.code === 'block_too_large' || e.code === 'body_too_large') reply.header('connection', 'close');
    void reply.code(e.status).type('application/json').send(e.toBody());
  });
  app.setNotFoundHandler((_req, reply) => {
    const e = new CairnError('not_found', 'no such route');
    void reply.code(e.status).send(e.toBody());
  });

  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => new CairnError('rate_limited'),
  });
  const window = ctx.rateLimits.windowMs;
  const signupIp = app.createRateLimit({ max: ctx.rateLimits.signupPerIp, timeWindow: window, keyGenerator: (r) => `signup:${r.ip}` });
  const loginIp = app.createRateLimit({ max: ctx.rateLimits.loginPerIp, timeWindow: window, keyGenerator: (r) => `login:${r.ip}` });
  const loginEmail = app.createRateLimit({
    max: ctx.rateLimits.loginPerEmail,
    timeWindow: window,
    keyGenerator: (r) => `login-email:${String((r.body as { email?: string } | undefined)?.email ?? '').toLowerCase()}`,
  });
  const limiters: AuthLimiters = {
    signupIp: async (r) => exceeded(await signupIp(r)),
    loginIp: async (r) => exceeded(await loginIp(r)),
    // Peeking (no increment) must refuse once the budget is used up, not only past it.
    loginEmail: async (r, consume) => {
      const st = await loginEmail(r, { increment: consume });
      return consume ? exceeded(st) : !st.isAllowed && (st.isExceeded || st.remaining <= 0);
    },
  };

  const sockets = new DeviceSockets();
  ctx.closeDeviceSockets = (id) => sockets.close(id, 1008, 'unauthorized');
  await app.register(websocket, {
    options: WS_OPTIONS,
    preClose: (done) => {
      sockets.closeAll(1001, 'server shutting down');
      done();
    },
  });

  // server.close() drops the connections idle at that instant only: a keep-alive connection
  // whose response was still finishing (a download stream ending just after the client read
  // its last byte) would then hold the close for the whole keep-alive timeout. Sweep idle
  // connections until the close completes.
  let sweep: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    sweep = setInterval(() => app.server.closeIdleConnections(), 25);
  });
  app.addHook('onClose', async () => clearInterval(sweep));

  registerRoutes(app, ctx, limiters);
  registerNotify(app, ctx, sockets);
  await registerPublicLinks(app, ctx);
  app.get(OTHER_ENDPOINTS.healthz.url, async () => ({ ok: true }));
  app.get(OTHER_ENDPOINTS.metrics.url, async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
  return app;
}

function exceeded(r: { isAllowed: boolean } & { isExceeded?: boolean }): boolean {
  return !r.isAllowed && r.isExceeded === true;
}
