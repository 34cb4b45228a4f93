/* eslint-disable @typescript-eslint/no-explicit-any -- wire bodies are checked field by field in assertions */
// Journal: changes with cursors, resets, compaction horizon; the notify WebSocket; long-poll.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_WS_FRAME_BYTES, cursorWithSeq, decodeCursor, encodeCursor } from '../../src-shared/index.ts';
import { call, putFile, req, signup, testServer, type Acct, type TestServer } from './helpers.ts';

let s: TestServer;
let base: string;
beforeAll(async () => {
  s = await testServer();
  base = s.url;
});
afterAll(async () => {
  await s.stop();
});

describe('changes', () => {
  it('without a cursor asks for a snapshot; then pages through changes with has_more', async () => {
    const a = await signup(base);
    const first = await call(base, 'changes', a.token);
    expect(first.body).toMatchObject({ changes: [], reset: true, reset_ns: [a.ns], has_more: false });
    expect(decodeCursor(first.body.cursor)).toEqual({ ns: { [a.ns]: 0 } });
    await putFile(base, a, 'x/1', '1');
    await putFile(base, a, 'x/2', '2');
    const snap = await call(base, 'snapshot', a.token, { params: { ns: a.ns } });
    expect(snap.body.seq).toBe(3);
    // From seq 0: every record, two per page.
    let cursor = first.body.cursor;
    const seen: number[] = [];
    for (;;) {
      const r = await call(base, 'changes', a.token, { query: { cursor, limit: 2 } });
      expect(r.body.reset).toBe(false);
      seen.push(...r.body.changes.map((c: any) => c.seq));
      cursor = r.body.cursor;
      if (!r.body.has_more) break;
    }
    expect(seen).toEqual([1, 2, 3]);
    // From the snapshot's seq: nothing new, then exactly the new record.
    const fromSnap = cursorWithSeq(first.body.cursor, a.ns, snap.body.seq);
    expect((await call(base, 'changes', a.token, { query: { cursor: fromSnap } })).body.changes).toEqual([]);
    await putFile(base, a, 'x/3', '3');
    const next = await call(base, 'changes', a.token, { query: { cursor: fromSnap } });
    expect(next.body.changes.map((c: any) => [c.seq, c.op, c.entry.path])).toEqual([[4, 'put', 'x/3']]);
    expect(decodeCursor(next.body.cursor).ns[a.ns]).toBe(4);
  });

  it('refuses malformed cursors with cursor_invalid', async () => {
    const a = await signup(base);
    const bad = [
      'not a cursor!',
      'e30',
      Buffer.from('{"v":2,"ns":{}}').toString('base64url'),
      Buffer.from('{"v":1,"ns":{"a":-1}}').toString('base64url'),
      Buffer.from('{"v":1,"ns":[]}').toString('base64url'),
    ];
    for (const cursor of bad) {
      const r = await call(base, 'changes', a.token, { query: { cursor } });
      expect([r.status, r.body.error.code]).toEqual([400, 'cursor_invalid']);
      const w = await call(base, 'waitChanges', a.token, { query: { cursor, timeout_ms: 0 } });
      expect([w.status, w.body.error.code]).toEqual([400, 'cursor_invalid']);
    }
  });

  it('drops namespaces the account cannot see and resets ones the cursor lacks or is ahead of', async () => {
    const a = await signup(base);
    const b = await signup(base);
    const c = encodeCursor({ ns: { [b.ns]: 0 } });
    const r = await call(base, 'changes', a.token, { query: { cursor: c } });
    expect(r.body.reset_ns).toEqual([a.ns]);
    expect(Object.keys(decodeCursor(r.body.cursor).ns)).toEqual([a.ns]);
    const ahead = await call(base, 'changes', a.token, { query: { cursor: encodeCursor({ ns: { [a.ns]: 99 } }) } });
    expect(ahead.body.reset_ns).toEqual([a.ns]);
  });

  it('resets a namespace whose cursor is older than the compacted journal', async () => {
    const t = await testServer({ retentionMs: 1000 });
    try {
      const a = await signup(t.url);
      await putFile(t.url, a, 'f', 'x');
      const old = encodeCursor({ ns: { [a.ns]: 0 } });
      const current = encodeCursor({ ns: { [a.ns]: 1 } });
      const report = await t.gc(Date.now() + 10_000);
      expect(report.journalRecordsCompacted).toBe(1);
      const r = await call(t.url, 'changes', a.token, { query: { cursor: old } });
      expect(r.body).toMatchObject({ reset: true, reset_ns: [a.ns], changes: [] });
      const ok = await call(t.url, 'changes', a.token, { query: { cursor: current } });
      expect(ok.body).toMatchObject({ reset: false, changes: [] });
    } finally {
      await t.stop();
    }
  });
});

/** A WebSocket client that queues messages and reports its close. */
function openNotify(token: string | undefined): Promise<{ ws: WebSocket; next(): Promise<any>; closed: Promise<[number, string]> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/notify`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const queue: any[] = [];
    const waiters: ((m: any) => void)[] = [];
    const closed = new Promise<[number, string]>((res) => ws.on('close', (code, reason) => res([code, reason.toString()])));
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      const w = waiters.shift();
      if (w) w(m);
      else queue.push(m);
    });
    ws.on('unexpected-response', (_req, res) => reject(Object.assign(new Error('upgrade refused'), { status: res.statusCode })));
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({ ws, closed, next: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r))) }),
    );
  });
}

describe('notify WebSocket', () => {
  it('refuses the upgrade without a valid token (401)', async () => {
    await expect(openNotify(undefined)).rejects.toMatchObject({ status: 401 });
    await expect(openNotify('cairn_wrong')).rejects.toMatchObject({ status: 401 });
  });

  it('sends ready, then advance on every journal advance; answers ping', async () => {
    const a = await signup(base);
    await putFile(base, a, 'before', 'x');
    const n = await openNotify(a.token);
    expect(await n.next()).toEqual({ type: 'ready', namespaces: { [a.ns]: 1 } });
    await putFile(base, a, 'd/after', 'y');
    expect(await n.next()).toEqual({ type: 'advance', ns: a.ns, seq: 3 });
    n.ws.send(JSON.stringify({ type: 'ping' }));
    expect(await n.next()).toEqual({ type: 'pong' });
    n.ws.close();
    await n.closed;
  });

  const garbage: [string, (ws: WebSocket) => void][] = [
    ['non-JSON', (ws) => ws.send('hello')],
    ['binary', (ws) => ws.send(Buffer.from('{"type":"ping"}'))],
    ['wrong shape', (ws) => ws.send(JSON.stringify({ type: 'subscribe', ns: 'x' }))],
    ['array', (ws) => ws.send('[]')],
    ['oversized', (ws) => ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(MAX_WS_FRAME_BYTES) }))],
  ];
  it.each(garbage)('closes with 1008 bad_request on a %s frame', async (_name, sendIt) => {
    const a = await signup(base);
    const n = await openNotify(a.token);
    await n.next();
    sendIt(n.ws);
    expect(await n.closed).toEqual([1008, 'bad_request']);
  });

  it('closes the sockets of a revoked device', async () => {
    const a = await signup(base);
    const n = await openNotify(a.token);
    await n.next();
    await call(base, 'logout', a.token);
    expect((await n.closed)[0]).toBe(1008);
  });
});

/** Polls the `cairn_longpoll_waiting` gauge until it reads `n` (bounded; no event to await over HTTP). */
async function longPollsWaiting(n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const m = (await req(base, 'GET', '/metrics')).body.toString() as string;
    if (new RegExp(`^cairn_longpoll_waiting ${n}$`, 'mu').test(m)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`cairn_longpoll_waiting never reached ${n}`);
}

describe('long-poll', () => {
  async function cursorAt(a: Acct) {
    const snap = await call(base, 'snapshot', a.token, { params: { ns: a.ns } });
    return encodeCursor({ ns: { [a.ns]: snap.body.seq } });
  }

  it('answers at once when behind, wakes on an advance, and times out with changes: false', async () => {
    const a = await signup(base);
    const c0 = await cursorAt(a);
    await putFile(base, a, 'f', '1');
    expect((await call(base, 'waitChanges', a.token, { query: { cursor: c0, timeout_ms: 60_000 } })).body).toEqual({ changes: true });
    const c1 = await cursorAt(a);
    const t0 = Date.now();
    expect((await call(base, 'waitChanges', a.token, { query: { cursor: c1, timeout_ms: 200 } })).body).toEqual({ changes: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    const waiting = call(base, 'waitChanges', a.token, { query: { cursor: c1, timeout_ms: 60_000 } });
    // Commit only once the long-poll is parked, so the answer must come from the wake-up
    // path (not from the "already behind" check at its start).
    await longPollsWaiting(1);
    await putFile(base, a, 'g', '2');
    expect((await waiting).body).toEqual({ changes: true });
  });
});
