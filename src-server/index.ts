/**
 * The Cairn reference server as a library: {@link startServer} opens a data dir, serves
 * protocol v1 and returns a handle. Used by the CLI (cli.ts), tests and benchmarks.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_RETENTION_MS } from '../src-shared/index.ts';
import { lockDataDir, openDataDir } from './data-dir.ts';
import { buildApp } from './http/app.ts';
import type { AppContext, RateLimits } from './http/context.ts';
import { createMetrics } from './http/metrics.ts';
import { NotifyHub } from './notify/hub.ts';
import { KeyedMutex } from './store/keyed-mutex.ts';
import { PendingBlocks } from './store/pending-blocks.ts';
import { DEFAULT_GRACE_MS, runGc } from './ops/gc.ts';

export type { RateLimits } from './http/context.ts';

/** Default quota of a new account (bytes): 10 GiB. */
export const DEFAULT_QUOTA_BYTES = 10 * 1024 ** 3;
/** Default {@link StartOptions.closeGraceMs}: 10 s. */
export const DEFAULT_CLOSE_GRACE_MS = 10_000;
/** Default auth rate limits: per minute. */
export const DEFAULT_RATE_LIMITS: RateLimits = { signupPerIp: 20, loginPerIp: 30, loginPerEmail: 10, windowMs: 60_000 };

/** Options of {@link startServer}. Times in ms, sizes in bytes. */
export interface StartOptions {
  dataDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7780; 0 picks a free port. */
  port?: number;
  /** Retention of old revisions, deleted entries and journal records (default 30 days). */
  retentionMs?: number;
  /** Quota of new accounts (default {@link DEFAULT_QUOTA_BYTES}). */
  quotaBytes?: number;
  /** pino level (default 'info'; logs go to stderr as JSON). 'silent' for tests. */
  logLevel?: string;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  rateLimits?: Partial<RateLimits>;
  /** Period of the in-process GC pass (default 1 h; 0 disables it). */
  gcIntervalMs?: number;
  /** Grace period of unreferenced blocks (default 24 h). */
  graceMs?: number;
  /**
   * How long {@link RunningServer.close} lets requests in flight finish, in ms (default
   * {@link DEFAULT_CLOSE_GRACE_MS}). Connections still open then (a client stalled mid-upload
   * or no longer reading a download) are destroyed, so `close()` always settles.
   */
  closeGraceMs?: number;
}

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /**
   * Drains in-flight requests (at most `closeGraceMs`, then destroys the connections left),
   * closes sockets, then the database. Idempotent.
   */
  close(): Promise<void>;
  app: FastifyInstance;
  /** Runs one GC pass now (tests, admin). */
  gc(now?: number): ReturnType<typeof runGc>;
  /** Resolves once every block upload answered so far is durable and recorded, or failed (tests). */
  settle(): Promise<void>;
}

/** Opens `opts.dataDir` and starts listening. Resolves once the port is bound. */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  // Before anything touches the dir: a second server would empty the first one's tmp/.
  const lock = await lockDataDir(opts.dataDir);
  // Replaced by the app's logger once it exists (nothing advances before that).
  let logError = (err: unknown, what: string) => process.emitWarning(`${what}: ${String(err)}`);
  const hub = new NotifyHub({ onListenerError: (err) => logError(err, 'notify listener failed') });
  const opened = await openDataDir(opts.dataDir, {
    onAdvance: (ns, seq) => hub.advance(ns, seq),
    onError: (err, what) => logError(err, what),
  }).catch(async (err: unknown) => {
    await lock.release();
    throw err;
  });
  const { store, blocks } = opened;
  await blocks.cleanTemp();
  const shutdown = new AbortController();
  const retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  const ctx: AppContext = {
    store,
    blocks,
    hub,
    blockLocks: new KeyedMutex(),
    pendingBlocks: new PendingBlocks((err, hash) => logError(err, `block ${hash} was lost before it was durable`)),
    metrics: createMetrics(),
    log: undefined as unknown as AppContext['log'],
    defaultQuotaBytes: opts.quotaBytes ?? DEFAULT_QUOTA_BYTES,
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...opts.rateLimits },
    closeDeviceSockets: () => {},
    shutdown: shutdown.signal,
  };
  const app = await buildApp(ctx, {
    logger: { level: opts.logLevel ?? 'info', stream: process.stderr },
    https: opts.tls ?? null,
  });
  app.addHook('preClose', async () => shutdown.abort());
  logError = (err, what) => app.log.error({ err }, what);
  // Uploads already answered are recorded first, so a pass sees every block the server acknowledged.
  const gc = async (now = Date.now()) => {
    await ctx.pendingBlocks.drain();
    return runGc({ store, blocks, locks: ctx.blockLocks }, { now, retentionMs, graceMs });
  };
  let gcTimer: NodeJS.Timeout | undefined;
  const interval = opts.gcIntervalMs ?? 3600_000;
  if (interval > 0) {
    gcTimer = setInterval(() => {
      gc().then(
        (r) => app.log.info({ gc: r }, 'gc pass done'),
        (err: unknown) => app.log.error({ err }, 'gc pass failed'),
      );
    }, interval);
    gcTimer.unref();
  }
  // Every connection, upgraded ones (WebSockets) included, so the shutdown deadline reaches all.
  const connections = new Set<Socket>();
  app.server.on('connection', (s: Socket) => {
    connections.add(s);
    s.once('close', () => connections.delete(s));
  });
  const closeGraceMs = opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
  try {
    await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 7780 });
  } catch (err) {
    await app.close().catch(() => {});
    await store.close();
    await lock.release();
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 7780);
  const host = opts.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    app,
    gc,
    settle: () => ctx.pendingBlocks.drain(),
    close() {
      closing ??= (async () => {
        clearInterval(gcTimer);
        // Fastify waits for every connection to end, and has no request or idle timeout (a
        // slow upload must not be cut): a stalled client would hold the close forever.
        const deadline = setTimeout(() => {
          app.log.warn({ connections: connections.size, graceMs: closeGraceMs }, 'shutdown grace over: closing the connections left');
          for (const s of connections) s.destroy();
        }, closeGraceMs);
        try {
          await app.close();
        } finally {
          clearTimeout(deadline);
        }
        // Uploads already answered are made durable and recorded before the database closes.
        await ctx.pendingBlocks.drain();
        await blocks.drain();
        await store.close();
        await lock.release();
      })();
      return closing;
    },
  };
}
