/**
 * Fuzzing the server's inputs (issue 7): generated requests — paths, names, bodies, headers,
 * block bytes and hashes, cursors, WebSocket frames — against a real server. Properties:
 * the server never answers 5xx, never crashes, every refusal carries a stable error code,
 * and a refused request changes nothing stored (journal, entries, blocks on disk).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import WebSocket from 'ws';
import { isErrorCode, normalizePath, pathKey, routes, type RouteName } from '../../src-shared/index.ts';
import { putFile, req, signup, storedState, testServer, type Acct, type TestServer } from '../server/helpers.ts';

let server: TestServer;
let a: Acct;
let b: Acct;
const revoked: { token: string } = { token: '' };

beforeAll(async () => {
  server = await testServer();
  a = await signup(server.url);
  b = await signup(server.url);
  await putFile(server.url, a, 'docs/readme.txt', 'hello');
  const c = await signup(server.url);
  await req(server.url, 'POST', '/api/v1/auth/logout', { token: c.token });
  revoked.token = c.token;
});
afterAll(async () => server?.stop());

const nasty = fc.constantFrom(
  '', '.', '..', '../x', 'a/../../b', '/abs', 'a\\b', 'nul\u0000', 'ctl\u0007', 'docs', 'docs/readme.txt',
  'DOCS/README.TXT', 'CON', 'aux.txt', 'trail.', 'x'.repeat(300), 'é/'.repeat(2100), 'cafe\u0301', '%2e%2e', '\uD800',
);
const pathArb = fc.oneof(nasty, fc.string({ maxLength: 40 }), fc.stringMatching(/^[a-zA-Z0-9 ./_-]{1,30}$/));
const hashArb = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.string({ maxLength: 70 }),
  fc.constant('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
);
const cursorArb = fc.oneof(fc.string({ maxLength: 50 }), fc.base64String({ maxLength: 60 }), fc.constant('eyJ2IjoxLCJucyI6e319'));
const valueArb = fc.oneof(pathArb, hashArb, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), cursorArb);

/** A generated request against one route of the protocol map. */
const requestArb = fc.record({
  route: fc.constantFrom(...(Object.keys(routes) as RouteName[])),
  tokenKind: fc.oneof(
    { arbitrary: fc.constant('a'), weight: 8 },
    { arbitrary: fc.constantFrom('b', 'none', 'garbage', 'revoked'), weight: 2 },
  ),
  ns: fc.oneof(
    { arbitrary: fc.constant('own'), weight: 8 },
    { arbitrary: fc.oneof(fc.constant('other'), fc.string({ maxLength: 20 })), weight: 2 },
  ),
  hash: hashArb,
  query: fc.dictionary(fc.constantFrom('path', 'after', 'limit', 'cursor', 'rev', 'include_deleted', 'timeout_ms', 'x'), valueArb, { maxKeys: 4 }),
  body: fc.oneof(
    fc.record(
      {
        path: pathArb, from: pathArb, to: pathArb, parent_rev: fc.oneof(fc.constant(null), fc.string({ maxLength: 10 })),
        blocks: fc.array(hashArb, { maxLength: 3 }), size: fc.oneof(fc.integer(), fc.double()), mtime: fc.integer(),
        hashes: fc.array(hashArb, { maxLength: 3 }), rev: fc.string({ maxLength: 8 }), email: fc.string({ maxLength: 12 }),
        password: fc.string({ maxLength: 12 }), device_name: fc.string({ maxLength: 12 }),
        commits: fc.array(fc.record({ path: pathArb, parent_rev: fc.constant(null), blocks: fc.constant([]), size: fc.integer(), mtime: fc.nat() }), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
    fc.anything({ maxDepth: 2 }),
    fc.uint8Array({ maxLength: 64 }),
  ),
  contentType: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: fc.constant('application/json'), weight: 6 },
    { arbitrary: fc.constantFrom('application/octet-stream', 'text/plain'), weight: 1 },
  ),
});

function tokenFor(kind: string): string | undefined {
  return { a: a.token, b: b.token, none: undefined, garbage: 'cairn_not-a-real-token', revoked: revoked.token }[kind];
}

describe('server input fuzzing', () => {
  it('never answers 5xx, always a stable code, and refusals change nothing', async () => {
    let baseline = JSON.stringify(await storedState(server.dataDir));
    const seen = new Map<string, number>(); // error code (or "ok") → count, to prove the fuzz gets past auth and schemas
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const def = routes[r.route];
        let url: string = def.url
          .replace(':ns', encodeURIComponent(r.ns === 'own' ? a.ns : r.ns === 'other' ? b.ns : r.ns))
          .replace(':hash', encodeURIComponent(r.hash))
          .replace(':id', encodeURIComponent(r.hash.slice(0, 10)));
        const q = Object.entries(r.query).map(([k, v]) => [k, String(v)]);
        if (q.length) url += `?${new URLSearchParams(q).toString()}`;
        if (def.url === '/api/v1/changes/wait') url += `${q.length ? '&' : '?'}timeout_ms=0`;
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        const raw = r.body instanceof Uint8Array ? r.body : JSON.stringify(r.body ?? null);
        // Logging out the fuzzing accounts would only blind the rest of the run.
        const tokenKind = r.route === 'logout' && (r.tokenKind === 'a' || r.tokenKind === 'b') ? 'revoked' : r.tokenKind;
        const res = await req(server.url, def.method, url, {
          token: tokenFor(tokenKind),
          ...(def.method === 'GET' || def.method === 'DELETE' ? {} : { raw }),
          headers,
        });
        expect(res.status, `${def.method} ${url} -> ${res.status}`).toBeLessThan(500);
        // An accepted block upload is recorded after its answer; let it land before comparing.
        await server.settle();
        const after = JSON.stringify(await storedState(server.dataDir));
        const code = res.status >= 400 ? String((res.body as { error?: { code?: unknown } })?.error?.code) : 'ok';
        seen.set(code, (seen.get(code) ?? 0) + 1);
        if (res.status >= 400) {
          expect(isErrorCode((res.body as { error?: { code?: unknown } })?.error?.code), JSON.stringify(res.body)).toBe(true);
          expect(after === baseline, `refused ${def.method} ${url} (${res.status}) changed stored state`).toBe(true);
        } else if ((r.route === 'commit' || r.route === 'mkdir') && typeof (r.body as { path?: unknown })?.path === 'string') {
          // An accepted write stores the requested name in NFC (parents may adopt an existing
          // folder's casing, so compare uniqueness keys) — never a silently rewritten name.
          const asked = normalizePath((r.body as { path: string }).path);
          const stored = (res.body as { entry: { path: string } }).entry.path;
          expect(pathKey(stored), `${r.route} ${JSON.stringify(asked)} stored as ${JSON.stringify(stored)}`).toBe(pathKey(asked));
          expect(stored.normalize('NFC')).toBe(stored);
        }
        baseline = after;
      }),
      { numRuns: Number(process.env.CAIRN_FUZZ_RUNS ?? 1000), seed: Number(process.env.CAIRN_FUZZ_SEED ?? 20261121) },
    );
    if (process.env.CAIRN_FUZZ_STATS) console.log(Object.fromEntries(seen));
    // Coverage floor: the generated requests must reach past auth and schema checks.
    for (const code of ['ok', 'unauthorized', 'bad_request', 'forbidden', 'path_invalid']) expect(seen.get(code), code).toBeGreaterThan(0);
  });

  it('closes the WebSocket on garbage frames with 1008 and stays up', async () => {
    const frames = fc.sample(fc.oneof(fc.string({ maxLength: 100 }), fc.json(), fc.constant('x'.repeat(10_000))), { seed: 1, numRuns: 25 });
    for (const frame of [...frames, Buffer.from([0, 1, 2])]) {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/notify`, { headers: { authorization: `Bearer ${a.token}` } });
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        ws.once('message', () => resolve()); // `ready`
        ws.once('error', reject);
      });
      ws.send(frame);
      if (frame === '{"type":"ping"}') {
        // the one valid client frame: answered, and we close ourselves
        ws.close();
        expect(await closed).toBe(1005);
        continue;
      }
      expect(await closed).toBe(1008);
    }
    const health = await req(server.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
  });
});
