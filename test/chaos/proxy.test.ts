import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFaultProxy, type FaultProxy } from './proxy.ts';

const payload = Buffer.alloc(256 * 1024, 7);
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function origin(): Promise<number> {
  const srv = http.createServer((_req, res) => res.end(payload));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => srv.close(() => r())));
  return (srv.address() as AddressInfo).port;
}

async function proxyTo(port: number): Promise<FaultProxy> {
  const p = await startFaultProxy({ host: '127.0.0.1', port });
  cleanups.push(() => p.close());
  return p;
}

const get = (url: string) =>
  fetch(url, { headers: { connection: 'close' } }).then(async (r) => Buffer.from(await r.arrayBuffer()));

describe('fault proxy', () => {
  it('forwards bytes unchanged when healthy', async () => {
    const p = await proxyTo(await origin());
    expect((await get(p.url)).equals(payload)).toBe(true);
    expect(p.accepted).toBe(1);
  });

  it('refuses connections while offline and recovers after', async () => {
    const p = await proxyTo(await origin());
    p.set({ offline: true });
    await expect(get(p.url)).rejects.toThrow();
    p.set({ offline: false });
    expect((await get(p.url)).length).toBe(payload.length);
  });

  it('cuts a transfer after the configured byte count', async () => {
    const p = await proxyTo(await origin());
    p.set({ resetAfterBytes: 64 * 1024 });
    await expect(get(p.url)).rejects.toThrow();
  });

  it('delays but still delivers with a slow link', async () => {
    const p = await proxyTo(await origin());
    p.set({ delayMs: 5 });
    expect((await get(p.url)).equals(payload)).toBe(true);
  });
});
