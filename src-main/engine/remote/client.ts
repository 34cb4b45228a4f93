/**
 * HTTP client of protocol v1, typed from the route map (src-shared/protocol/routes.ts).
 *
 * `call(name, { params, query, body })` returns the route's static output type; error bodies
 * are decoded into {@link CairnError} with their stable code (errorFromBody). A server that
 * cannot be reached (refused, reset, DNS, timeout) becomes `offline`. Blocks move as raw
 * bytes (`putBlock`, `getBlockInto`) through optional bandwidth limits; counters of bytes on the
 * wire are kept for the status screen and the benchmark.
 */
import { Agent, request } from 'undici';
import { CairnError, errorFromBody } from '../../../src-shared/errors.ts';
import { routes, type RouteInput, type RouteName, type RouteOutput } from '../../../src-shared/protocol/routes.ts';
import { Throttle } from './throttle.ts';

/** Options of {@link RemoteClient}. */
export interface RemoteClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:7780`. */
  server: string;
  /** Device token (omit for signup/login). */
  token?: string | null;
  /** Per-request timeout (ms; default 60 000). */
  timeoutMs?: number;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Converts a transport failure into CairnError `offline`; passes CairnErrors through. */
export function toCairnError(err: unknown): CairnError {
  if (err instanceof CairnError) return err;
  const code = (err as { code?: string; cause?: { code?: string } })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  if (code && NETWORK_CODES.has(code)) return new CairnError('offline', `server unreachable (${code})`);
  return new CairnError('internal', err instanceof Error ? err.message : String(err));
}

/** Typed client of one Cairn server for one device. */
export class RemoteClient {
  readonly server: string;
  token: string | null;
  readonly upload = new Throttle(0);
  readonly download = new Throttle(0);
  /** Bytes of block payloads sent and received since start. */
  bytesUp = 0;
  bytesDown = 0;
  private readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(opts: RemoteClientOptions) {
    this.server = opts.server.replace(/\/+$/u, '');
    this.token = opts.token ?? null;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.agent = new Agent({ connections: 16, keepAliveTimeout: 30_000, connectTimeout: 5_000 });
  }

  /**
   * Closes the connections at once (a pending long-poll is aborted, not awaited); requests in
   * flight and those waiting on a bandwidth limit fail.
   */
  async close(): Promise<void> {
    this.upload.release();
    this.download.release();
    await this.agent.destroy();
  }

  private url<N extends RouteName>(name: N, input: Partial<RouteInput<N>>): string {
    const def = routes[name];
    const params = (input.params ?? {}) as Record<string, string>;
    const pathPart = def.url.replace(/:([a-z_]+)/gu, (_m, k: string) => encodeURIComponent(String(params[k] ?? '')));
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
      if (v !== undefined && v !== null) q.set(k, String(v));
    }
    const qs = q.toString();
    return `${this.server}${pathPart}${qs ? `?${qs}` : ''}`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  /**
   * Calls JSON route `name`. Resolves with the decoded success body (`undefined` for 204).
   * @throws CairnError with the server's code, or `offline` when unreachable.
   */
  async call<N extends RouteName>(name: N, input: Partial<RouteInput<N>> = {}): Promise<RouteOutput<N>> {
    const def = routes[name];
    const hasBody = def.bodyKind === 'json';
    try {
      const res = await request(this.url(name, input), {
        method: def.method,
        dispatcher: this.agent,
        headers: this.headers(hasBody ? { 'content-type': 'application/json' } : {}),
        body: hasBody ? JSON.stringify(input.body ?? {}) : undefined,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      if (res.statusCode >= 400) throw await decodeError(res.statusCode, res.body);
      if (res.statusCode === 204) {
        await res.body.dump();
        return undefined as RouteOutput<N>;
      }
      return (await res.body.json()) as RouteOutput<N>;
    } catch (err) {
      throw toCairnError(err);
    }
  }

  /**
   * Uploads one block. Waits on the upload limit first.
   * @throws CairnError `block_hash_mismatch` | `block_too_large` | `offline` | …
   */
  async putBlock(hash: string, data: Uint8Array): Promise<void> {
    await this.upload.take(data.length);
    try {
      const res = await request(this.url('putBlock', { params: { hash } }), {
        method: 'PUT',
        dispatcher: this.agent,
        headers: this.headers({ 'content-type': 'application/octet-stream' }),
        body: data,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      if (res.statusCode >= 400) throw await decodeError(res.statusCode, res.body);
      await res.body.dump();
      this.bytesUp += data.length;
    } catch (err) {
      throw toCairnError(err);
    }
  }

  /**
   * Downloads one block's bytes into a buffer the caller lends: `take(length)` is called once
   * the response announces its length (bytes) and must return a buffer of at least that many
   * bytes; the body is copied into it as it arrives, so a download of many blocks allocates
   * nothing per block (a 1 GiB download otherwise allocates 1 GiB of short-lived buffers, and
   * V8's collections of them cost more CPU than the copy). Without a length (not sent by our
   * server) nothing is borrowed: the body is gathered into a buffer of its own.
   * @returns the filled part of the lent buffer, or that buffer of its own (not verified: the
   *   caller checks the SHA-256)
   * @throws CairnError `not_found` | `offline` | `internal` (more bytes than announced) | …
   */
  async getBlockInto(hash: string, take: (length: number) => Buffer): Promise<Buffer> {
    try {
      const res = await request(this.url('getBlock', { params: { hash } }), {
        method: 'GET',
        dispatcher: this.agent,
        headers: this.headers(),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      if (res.statusCode >= 400) throw await decodeError(res.statusCode, res.body);
      const announced = Number(res.headers['content-length']);
      let out: Buffer;
      if (Number.isSafeInteger(announced) && announced >= 0) {
        const buf = take(announced);
        let at = 0;
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          if (at + chunk.length > announced) {
            res.body.destroy();
            throw new CairnError('internal', 'block response longer than its content-length');
          }
          chunk.copy(buf, at);
          at += chunk.length;
        }
        out = buf.subarray(0, at);
      } else {
        out = Buffer.from(await res.body.arrayBuffer());
      }
      this.bytesDown += out.length;
      await this.download.take(out.length);
      return out;
    } catch (err) {
      throw toCairnError(err);
    }
  }
}

async function decodeError(status: number, body: { text(): Promise<string> }): Promise<CairnError> {
  const text = await body.text();
  try {
    return errorFromBody(JSON.parse(text), status);
  } catch {
    if (status === 503) return new CairnError('unavailable', text.slice(0, 200));
    if (status === 404) return new CairnError('not_found', text.slice(0, 200));
    return new CairnError('internal', `HTTP ${status}: ${text.slice(0, 200)}`);
  }
}
