// The protocol cannot drift: docs/protocol.md must equal what the route map generates, and
// the server must serve every route of the map.
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { routes, type RouteDef } from '../../src-shared/index.ts';
import { PROTOCOL_DOC, renderProtocolDoc } from '../../scripts/gen-protocol-doc.ts';
import { testServer, type TestServer } from './helpers.ts';

let s: TestServer;
beforeAll(async () => {
  s = await testServer();
});
afterAll(async () => {
  await s.stop();
});

it('docs/protocol.md matches the generated document (run npm run docs:protocol)', () => {
  const doc = renderProtocolDoc();
  expect(doc).toContain('### commitBatch');
  expect(fs.readFileSync(PROTOCOL_DOC, 'utf8')).toBe(doc);
});

it('the server registers every route of the route map', () => {
  for (const r of Object.values(routes) as RouteDef[]) {
    expect([r.method, r.url, s.app.hasRoute({ method: r.method, url: r.url })]).toEqual([r.method, r.url, true]);
  }
});
