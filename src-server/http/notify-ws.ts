/**
 * The notify WebSocket (`GET /api/v1/notify`): authenticated in the upgrade request (a bad
 * token gets a plain 401 and no upgrade). Sends `ready` with every namespace's seq, then
 * `advance {ns, seq}` on each journal advance. The client may send `{"type":"ping"}`
 * (answered `pong`); any other frame — binary, non-JSON, wrong shape, or over
 * MAX_WS_FRAME_BYTES — closes the socket with 1008 "bad_request". A revoked device's
 * sockets are closed with 1008 "unauthorized".
 */
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { MAX_WS_FRAME_BYTES, OTHER_ENDPOINTS, type NotifyMessage } from '../../src-shared/index.ts';
import type { AppContext } from './context.ts';
import { authenticate } from './register.ts';

/** Largest frame ws itself accepts before closing with 1009; smaller oversize frames get our 1008. */
const WS_HARD_MAX_BYTES = 1 << 20;

/** Open sockets per device (for revocation). */
export class DeviceSockets {
  readonly #byDevice = new Map<string, Set<WebSocket>>();
  /** Registers an open socket of `deviceId` (so revoking the device can close it). */
  add(deviceId: string, ws: WebSocket): void {
    let set = this.#byDevice.get(deviceId);
    if (!set) this.#byDevice.set(deviceId, (set = new Set()));
    set.add(ws);
  }
  /** Forgets a socket once it closed; drops the device's entry when it was the last one. */
  remove(deviceId: string, ws: WebSocket): void {
    const set = this.#byDevice.get(deviceId);
    set?.delete(ws);
    if (set?.size === 0) this.#byDevice.delete(deviceId);
  }
  /** Closes every socket of a device with `code`/`reason`. */
  close(deviceId: string, code: number, reason: string): void {
    for (const ws of this.#byDevice.get(deviceId) ?? []) ws.close(code, reason);
  }
  /** Closes every socket (shutdown). */
  closeAll(code: number, reason: string): void {
    for (const set of this.#byDevice.values()) for (const ws of set) ws.close(code, reason);
  }
}

/** Options for @fastify/websocket's registration. */
export const WS_OPTIONS = { maxPayload: WS_HARD_MAX_BYTES };

/** Registers the notify route. */
export function registerNotify(app: FastifyInstance, ctx: AppContext, sockets: DeviceSockets): void {
  app.route({
    method: 'GET',
    url: OTHER_ENDPOINTS.notify.url,
    onRequest: async (req) => {
      req.auth = await authenticate(ctx, req);
    },
    handler: async () => {
      // Reached only by plain HTTP requests (no upgrade).
      return { error: { code: 'bad_request', message: 'WebSocket upgrade required' } };
    },
    wsHandler: (socket, req) => {
      const auth = req.auth!;
      const send = (m: NotifyMessage) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
      };
      ctx.metrics.wsConnections.inc();
      sockets.add(auth.deviceId, socket);
      let unsubscribe = () => {};
      let closed = false;
      socket.on('close', () => {
        closed = true;
        ctx.metrics.wsConnections.dec();
        sockets.remove(auth.deviceId, socket);
        unsubscribe();
      });
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        const size = Array.isArray(data) ? data.reduce((s, b: Buffer) => s + b.length, 0) : data.byteLength;
        let msg: unknown = null;
        if (!isBinary && size <= MAX_WS_FRAME_BYTES) {
          try {
            msg = JSON.parse(data.toString('utf8'));
          } catch {
            msg = null;
          }
        }
        const m = msg as { type?: unknown } | null;
        if (m && typeof m === 'object' && !Array.isArray(m) && m.type === 'ping' && Object.keys(m).length === 1) {
          send({ type: 'pong' });
        } else {
          socket.close(1008, 'bad_request');
        }
      });
      // Subscribe, then read the seqs again for `ready`: an advance between the two reads is
      // covered by `ready`, every later one is sent as `advance` (none is lost).
      let ready = false;
      let known = new Set<string>();
      let unsubscribeNs = () => {};
      const onAdvance = (ns: string, seq: number) => {
        if (ready) send({ type: 'advance', ns, seq });
      };
      // When the account's namespaces change (sharing), follow the new set and announce each
      // newly visible namespace with its seq so that the client pulls it.
      const resubscribe = async () => {
        const first = await ctx.store.seqs(auth.accountId);
        if (closed) return;
        unsubscribeNs();
        unsubscribeNs = ctx.hub.subscribe(Object.keys(first), onAdvance);
        const seqs = await ctx.store.seqs(auth.accountId);
        for (const [ns, seq] of Object.entries(seqs)) if (!known.has(ns)) send({ type: 'advance', ns, seq });
        known = new Set(Object.keys(seqs));
      };
      void (async () => {
        const unsubscribeMembership = ctx.hub.subscribeMembership(auth.accountId, () => {
          if (ready) void resubscribe().catch((err: unknown) => ctx.log.error({ err }, 'notify resubscribe failed'));
        });
        const first = await ctx.store.seqs(auth.accountId);
        if (closed) {
          unsubscribeMembership();
          return;
        }
        unsubscribeNs = ctx.hub.subscribe(Object.keys(first), onAdvance);
        unsubscribe = () => {
          unsubscribeNs();
          unsubscribeMembership();
        };
        const seqs = await ctx.store.seqs(auth.accountId);
        known = new Set(Object.keys(seqs));
        ready = true;
        send({ type: 'ready', namespaces: seqs });
      })().catch((err: unknown) => {
        ctx.log.error({ err }, 'notify socket setup failed');
        socket.close(1011, 'internal');
      });
    },
  });
}
