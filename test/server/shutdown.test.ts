// Graceful shutdown with a deadline: close() lets requests in flight finish, but a client that
// stalls mid-upload cannot hold it past `closeGraceMs` (Fastify has no request timeout here, so
// without the deadline close() never settles). Raw sockets (node:net) so the test controls
// exactly when each body byte arrives.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { sha, signup, testServer, type TestServer } from './helpers.ts';

let srv: TestServer | null = null;
afterEach(async () => {
  await srv?.stop();
  srv = null;
});

/** A block upload over a raw socket: headers plus the first `sent` bytes of `body`. */
function startUpload(port: number, token: string, body: Buffer, sent: number) {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(
    `PUT /api/v1/blocks/${sha(body)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  socket.write(body.subarray(0, sent));
  let got = '';
  socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
  socket.on('error', () => {}); // a destroyed connection shows as 'close'
  /** The answer's status, or null when the server closed the connection without one. */
  const status = new Promise<number | null>((resolve) =>
    socket.once('close', () => resolve(/^HTTP\/1\.1 (\d{3}) /u.test(got) ? Number(got.slice(9, 12)) : null)),
  );
  // The rest is written, not ended: a half-closed request is not what HTTP clients send.
  return { socket, status, rest: () => socket.write(body.subarray(sent)) };
}

/** Resolves once the server has received the headers of `n` more requests (they passed onRequest's shutdown check). */
function requestsSeen(s: TestServer, n: number): Promise<void> {
  return new Promise((resolve) => {
    let left = n;
    const on = (_req: IncomingMessage) => {
      if (--left > 0) return;
      s.app.server.off('request', on);
      resolve();
    };
    s.app.server.on('request', on);
  });
}

it('close() drains a request in flight, then destroys a connection stalled mid-upload once the grace is over', async () => {
  const graceMs = 3000;
  srv = await testServer({ closeGraceMs: graceMs });
  const a = await signup(srv.url);
  const body = () => randomBytes(256 * 1024);
  const seen = requestsSeen(srv, 2);
  // Both bodies stop half way; the server is reading each in its handler.
  const draining = startUpload(srv.port, a.token, body(), 128 * 1024);
  const stalled = startUpload(srv.port, a.token, body(), 128 * 1024);
  await seen;

  const t0 = performance.now();
  const closed = srv.close();
  let settled = false;
  void closed.then(() => (settled = true));
  // The client that keeps sending finishes its upload during the grace, and gets its answer.
  draining.rest();
  expect(await draining.status).toBe(201);
  expect(settled).toBe(false);
  // The stalled one never sends the rest: the deadline closes its connection without an answer.
  expect(await stalled.status).toBeNull();
  await closed;
  const took = performance.now() - t0;
  expect(took).toBeGreaterThanOrEqual(graceMs - 50);
  // Generous margin: the machine may be loaded; without the deadline close() never settles.
  expect(took).toBeLessThan(graceMs + 5000);
}, 20_000);
