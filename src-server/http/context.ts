/**
 * What request handlers share: the stores, the notify hub, metrics, and server options.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { BlockStore } from '../store/blocks.ts';
import type { AuthContext, MetadataStore } from '../store/metadata.ts';
import type { NotifyHub } from '../notify/hub.ts';
import type { KeyedMutex } from '../store/keyed-mutex.ts';
import type { PendingBlocks } from '../store/pending-blocks.ts';
import type { ServerMetrics } from './metrics.ts';

/** Limits of the auth rate limiter (requests per window). */
export interface RateLimits {
  /** Sign-ups per IP per window. */
  signupPerIp: number;
  /** Log-ins per IP per window. */
  loginPerIp: number;
  /** Log-ins per email per window. */
  loginPerEmail: number;
  /** Failed public-link password guesses per link per window (default 10). */
  linkGuessPerLink?: number;
  /** Failed public-link password guesses per IP per window (default 30). */
  linkGuessPerIp?: number;
  /** Window length (ms). */
  windowMs: number;
}

/** Shared state of one server instance. */
export interface AppContext {
  store: MetadataStore;
  blocks: BlockStore;
  hub: NotifyHub;
  blockLocks: KeyedMutex;
  /** Block uploads answered but not yet durable and recorded (commits wait for them). */
  pendingBlocks: PendingBlocks;
  metrics: ServerMetrics;
  log: FastifyBaseLogger;
  /** Quota of new accounts (bytes). */
  defaultQuotaBytes: number;
  rateLimits: RateLimits;
  /** Closes the notify sockets of a device (revocation, log-out). */
  closeDeviceSockets(deviceId: string): void;
  /** Long-polls and sockets end when this aborts (server shutdown). */
  shutdown: AbortSignal;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller (routes with `auth: true`). */
    auth: AuthContext | null;
  }
}
