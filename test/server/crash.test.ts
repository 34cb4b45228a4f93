// Crash safety: the real CLI server is SIGKILLed at seeded random moments during a stream of
// block uploads, commits, batch commits, moves and deletes, restarted on the same data dir,
// and at the end `verify` must be clean and every operation the server acknowledged must be
// visible (an operation whose answer was lost to the kill may have happened or not).
// The suite runs a fixed seed, so a CI run replays the same kill schedule (the moments the
// kills land in still vary with timing); CAIRN_CRASH_SEED=random explores new schedules, and
// CAIRN_CRASH_SEED=<the logged seed> replays a failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { CHUNK_PARAMS_V1 } from '../../src-shared/index.ts';
import { call, sha, signup, stopChild, type Acct } from './helpers.ts';
import { mulberry32 } from '../chaos/workload.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/cairn-server.js');
const CYCLES = 5;
const WORKERS = 4;
/** Acknowledged operations a cycle waits for before its kill's seeded delay starts. */
const ACKS_BEFORE_KILL = 2;
const SEED = process.env.CAIRN_CRASH_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.CAIRN_CRASH_SEED ?? 20_261_121);

/** Starts the CLI server; resolves with its URL once it printed its one line. */
function startCli(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, '--data', dataDir, '--listen', '127.0.0.1:0', '--log-level', 'warn'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening on (http:\/\/\S+)\n/u.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) =>
      reject(new Error(`server exited early (${code}), seed ${SEED}: ${out}\nstderr: ${err}`)),
    );
  });
}

/** What the client knows: acknowledged files, and operations whose answer was lost. */
interface Ledger {
  acked: Map<string, string>; // path → content hash
  /** A move or delete in flight at the kill: `to` null = delete. Either outcome is fine. */
  doubt: { from: string; to: string | null; hash: string }[];
}

/** Uploads `data` in v1-shaped blocks (all but the last at the chunker's minimum size). */
async function uploadBlocks(url: string, a: Acct, data: Buffer): Promise<string[]> {
  const blocks: string[] = [];
  for (let off = 0; off < data.length; off += CHUNK_PARAMS_V1.minSize) {
    const chunk = data.subarray(off, off + CHUNK_PARAMS_V1.minSize);
    const h = sha(chunk);
    const r = await call(url, 'putBlock', a.token, { params: { hash: h }, body: chunk });
    if (r.status !== 201) throw new Error(`put ${r.status}`);
    blocks.push(h);
  }
  return blocks;
}

/** Runs a seeded mix of operations on its own folder until a request fails (the kill). */
async function worker(
  url: string,
  a: Acct,
  id: number,
  ledger: Ledger,
  stop: { dead: boolean },
  onAck: () => void,
): Promise<void> {
  const rnd = mulberry32(SEED + id);
  const mine: string[] = []; // acknowledged files of this worker, safe to move or delete
  const body = (p: string, blocks: string[], size: number) => ({
    path: p,
    parent_rev: null,
    blocks,
    size,
    mtime: 1,
  });
  for (let i = 0; !stop.dead; i++) {
    const roll = rnd();
    let pending: Ledger['doubt'][number] | null = null;
    try {
      if (mine.length > 0 && roll < 0.15) {
        const from = mine.splice(Math.floor(rnd() * mine.length), 1)[0]!;
        const to = `w${id}/moved-${i}.bin`;
        pending = { from, to, hash: ledger.acked.get(from)! };
        ledger.acked.delete(from);
        const r = await call(url, 'move', a.token, { params: { ns: a.ns }, body: { from, to } });
        if (r.status !== 200) throw new Error(`move ${r.status}`);
        ledger.acked.set(to, pending.hash);
        mine.push(to);
      } else if (mine.length > 0 && roll < 0.25) {
        const from = mine.splice(Math.floor(rnd() * mine.length), 1)[0]!;
        pending = { from, to: null, hash: ledger.acked.get(from)! };
        ledger.acked.delete(from);
        const r = await call(url, 'delete', a.token, { params: { ns: a.ns }, body: { path: from } });
        if (r.status !== 200) throw new Error(`delete ${r.status}`);
      } else if (roll < 0.45) {
        const files = Array.from({ length: 2 + Math.floor(rnd() * 3) }, () =>
          randomBytes(1000 + Math.floor(rnd() * 20_000)),
        );
        const reqs = [];
        for (const [k, data] of files.entries())
          reqs.push(body(`w${id}/b${i}-${k}.bin`, await uploadBlocks(url, a, data), data.length));
        const r = await call(url, 'commitBatch', a.token, { params: { ns: a.ns }, body: { commits: reqs } });
        if (r.status !== 200) throw new Error(`batch ${r.status}`);
        r.body.results.forEach((res: { ok: boolean; entry?: { path: string; content_hash: string } }) => {
          if (!res.ok) throw new Error('batch item refused');
          ledger.acked.set(res.entry!.path, res.entry!.content_hash);
          mine.push(res.entry!.path);
        });
      } else {
        const data = randomBytes(20_000 + Math.floor(rnd() * 600_000));
        const p = `w${id}/f${i}.bin`;
        const r = await call(url, 'commit', a.token, {
          params: { ns: a.ns },
          body: body(p, await uploadBlocks(url, a, data), data.length),
        });
        if (r.status !== 200) throw new Error(`commit ${r.status}`);
        ledger.acked.set(p, r.body.entry.content_hash);
        mine.push(p);
      }
      pending = null;
      onAck();
    } catch {
      if (pending) ledger.doubt.push(pending);
      return; // the server died under us: stop this worker
    }
  }
}

it('survives repeated kill -9 during uploads, commits, batch commits, moves and deletes', async () => {
  console.log(`crash test seed ${SEED} (CAIRN_CRASH_SEED=${SEED} replays the kill moments)`);
  const rnd = mulberry32(SEED);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-crash-'));
  const ledger: Ledger = { acked: new Map(), doubt: [] };
  let account: Acct | null = null;
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const { child, url } = await startCli(dataDir);
      // The kill below is the test; this one only keeps a failed cycle from leaking the server.
      try {
        account ??= await signup(url, 'crash@example.com');
        const stop = { dead: false };
        // The kill lands at a seeded moment after the cycle's first acknowledged operations, so
        // every cycle tests something however slow the machine (a fixed delay from the start
        // could end a cycle on a loaded machine before anything was acknowledged).
        let acks = 0;
        let enough!: () => void;
        const started = new Promise<void>((r) => (enough = r));
        const runs = Array.from({ length: WORKERS }, (_, w) =>
          worker(url, account!, cycle * 100 + w, ledger, stop, () => {
            if (++acks === ACKS_BEFORE_KILL) enough();
          }),
        );
        const allEnded = Promise.all(runs).then(() => 'ended' as const);
        if ((await Promise.race([started, allEnded])) === 'ended' && acks < ACKS_BEFORE_KILL) {
          throw new Error(`seed ${SEED}: every worker ended before ${ACKS_BEFORE_KILL} acknowledged operations (cycle ${cycle})`);
        }
        await new Promise((r) => setTimeout(r, rnd() * 900));
        await stopChild(child, 'SIGKILL');
        stop.dead = true;
        await Promise.all(runs);
      } finally {
        await stopChild(child, 'SIGKILL');
      }
    }
    const verify = spawnSync(process.execPath, [CLI, 'verify', '--json', '--data', dataDir], {
      encoding: 'utf8',
    });
    const report = JSON.parse(verify.stdout) as { ok: boolean; missing: string[]; damaged: string[] };
    expect(report, `seed ${SEED}`).toMatchObject({ ok: true, missing: [], damaged: [] });
    expect(verify.status).toBe(0);
    const { child, url } = await startCli(dataDir);
    const hashAt = async (p: string): Promise<string | null> => {
      const m = await call(url, 'meta', account!.token, { params: { ns: account!.ns }, query: { path: p } });
      return m.status === 200 ? (m.body.entry.content_hash as string) : null;
    };
    try {
      for (const [p, hash] of ledger.acked) expect([p, await hashAt(p)], `seed ${SEED}`).toEqual([p, hash]);
      for (const d of ledger.doubt) {
        const at = [await hashAt(d.from), d.to === null ? null : await hashAt(d.to)];
        // Exactly one place holds the file after a move; a delete either happened or not.
        const ok =
          d.to === null ? at[0] === d.hash || at[0] === null : at.filter((h) => h === d.hash).length === 1;
        expect([d, at, ok], `seed ${SEED}`).toEqual([d, at, true]);
      }
      const tmp = await fs.readdir(path.join(dataDir, 'blocks', 'tmp'));
      expect(tmp).toEqual([]);
    } finally {
      await stopChild(child, 'SIGTERM');
    }
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}, 90_000);
