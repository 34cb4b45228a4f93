/**
 * Fault-injecting TCP proxy (node:net) that sits between one engine and the server in the
 * chaos harness. It forwards bytes both ways and, on command, injects the faults real networks
 * have: a device offline (new connections refused, live ones cut), connections reset mid-
 * transfer (after N bytes), and slow links (a delay per forwarded chunk, which also reorders
 * responses across connections).
 *
 * Deterministic given the caller's decisions: it holds no randomness of its own.
 */
import net from 'node:net';

/** Current fault settings. All byte counts are bytes; all delays are ms. */
export interface ProxyFaults {
  /** Refuse new connections and cut live ones. */
  offline: boolean;
  /** Cut each connection after it has forwarded this many bytes (either way); 0 = never. */
  resetAfterBytes: number;
  /** Delay before forwarding each chunk (ms); 0 = none. */
  delayMs: number;
}

/** A running proxy. `url` is the proxied HTTP base URL (`http://127.0.0.1:PORT`). */
export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  /** Connections accepted so far (for assertions). */
  readonly accepted: number;
  set(faults: Partial<ProxyFaults>): void;
  /** Destroys every live connection now (a reset). */
  resetAll(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 (port 0 = a free port) forwarding to `target` (host:port).
 * @throws when the listen socket cannot be bound.
 */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const faults: ProxyFaults = { offline: false, resetAfterBytes: 0, delayMs: 0 };
  const live = new Set<net.Socket>();
  let accepted = 0;

  const server = net.createServer((client) => {
    if (faults.offline) {
      client.resetAndDestroy();
      return;
    }
    accepted++;
    const upstream = net.connect(target.port, target.host);
    live.add(client);
    live.add(upstream);
    let forwarded = 0;
    const kill = () => {
      client.destroy();
      upstream.destroy();
      live.delete(client);
      live.delete(upstream);
    };
    // Each direction forwards through a promise chain so a delayed chunk is never overtaken
    // by a later one, nor by the end of the stream.
    const pipe = (from: net.Socket, to: net.Socket) => {
      let queue = Promise.resolve();
      const later = (step: () => void) => {
        queue = queue.then(async () => {
          if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
          step();
        });
      };
      from.on('data', (chunk: Buffer) => {
        if (faults.delayMs > 0) from.pause();
        later(() => {
          from.resume();
          if (to.destroyed) return;
          forwarded += chunk.length;
          if (faults.resetAfterBytes > 0 && forwarded > faults.resetAfterBytes) {
            // Forward a prefix so the peer sees a torn transfer, then cut.
            const keep = Math.max(0, chunk.length - (forwarded - faults.resetAfterBytes));
            to.write(chunk.subarray(0, keep), () => kill());
            return;
          }
          to.write(chunk);
        });
      });
      from.on('end', () => later(() => to.end()));
      from.on('error', kill);
      from.on('close', () => later(kill));
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  const resetAll = () => {
    for (const s of live) s.destroy();
    live.clear();
  };
  const proxy: FaultProxy = {
    port,
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    set(next) {
      Object.assign(faults, next);
      if (next.offline) resetAll();
    },
    resetAll,
    close() {
      resetAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
