/**
 * The notify WebSocket (`GET /api/v1/notify`, Bearer token in the upgrade request): the
 * server says "namespace N advanced to seq S" and the engine pulls. Reconnects with
 * exponential back-off (250 ms … 30 s, with jitter); pings every 25 s so dead links are
 * noticed. Emits: `up` (connected and `ready` received), `down` (lost), `advance`
 * ({ns, seq}) and `ready` (namespaces → seq).
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';

/** Notify connection that keeps itself open until {@link Notifier.close}. */
export class Notifier extends EventEmitter {
  private ws: WebSocket | null = null;
  private closed = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private ping: NodeJS.Timeout | null = null;
  connected = false;

  /** @param server base URL (http/https); @param token device token */
  private readonly server: string;
  private readonly token: string;
  constructor(server: string, token: string) {
    super();
    this.server = server;
    this.token = token;
  }

  start(): void {
    this.closed = false;
    this.connect();
  }

  private connect(): void {
    if (this.closed) return;
    const url = `${this.server.replace(/^http/u, 'ws')}/api/v1/notify`;
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${this.token}` }, handshakeTimeout: 5000 });
    this.ws = ws;
    ws.on('message', (data) => {
      let msg: { type?: string; ns?: string; seq?: number; namespaces?: Record<string, number> };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      if (msg.type === 'ready') {
        this.attempt = 0;
        this.connected = true;
        this.emit('up');
        this.emit('ready', msg.namespaces ?? {});
      } else if (msg.type === 'advance') {
        this.emit('advance', { ns: msg.ns, seq: msg.seq });
      }
    });
    ws.on('open', () => {
      this.ping = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ping' }));
      }, 25_000);
      this.ping.unref();
    });
    ws.on('error', () => undefined); // 'close' follows
    ws.on('close', () => {
      if (this.ping) clearInterval(this.ping);
      this.ping = null;
      const was = this.connected;
      this.connected = false;
      this.ws = null;
      if (was || this.attempt === 0) this.emit('down');
      if (this.closed) return;
      const delay = Math.min(30_000, 250 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt = Math.min(this.attempt + 1, 8);
      this.timer = setTimeout(() => this.connect(), delay);
      this.timer.unref();
    });
  }

  /** Reconnects at once (e.g. after the server answered HTTP again). */
  kick(): void {
    if (this.closed || this.ws) return;
    if (this.timer) clearTimeout(this.timer);
    this.attempt = 0;
    this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.ping) clearInterval(this.ping);
    this.ws?.terminate();
    this.ws = null;
  }
}
