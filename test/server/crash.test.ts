// Crash safety: the real CLI server is SIGKILLed at random moments during a stream of
// block uploads and commits, restarted on the same data dir, and at the end `verify` must
// be clean and every commit the server acknowledged must be present with its content.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { call, sha, signup, type Acct } from './helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/cairn-server.js');
const CYCLES = 5;
const WORKERS = 4;

/** Starts the CLI server; resolves with its URL once it printed its one line. */
function startCli(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--data', dataDir, '--listen', '127.0.0.1:0', '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening on (http:\/\/\S+)\n/u.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`server exited early (${code}): ${out}`)));
  });
}

/** Uploads and commits random files until a request fails; records acknowledged commits. */
async function worker(url: string, a: Acct, id: number, acked: Map<string, string>, stop: { dead: boolean }): Promise<void> {
  for (let i = 0; !stop.dead; i++) {
    try {
      const data = randomBytes(20_000 + Math.floor(Math.random() * 200_000));
      const blocks: string[] = [];
      for (let off = 0; off < data.length; off += 65_536) {
        const chunk = data.subarray(off, off + 65_536);
        const h = sha(chunk);
        const r = await call(url, 'putBlock', a.token, { params: { hash: h }, body: chunk });
        if (r.status !== 201) throw new Error(`put ${r.status}`);
        blocks.push(h);
      }
      const p = `w${id}/f${i}-${Date.now()}.bin`;
      const r = await call(url, 'commit', a.token, {
        params: { ns: a.ns },
        body: { path: p, parent_rev: null, blocks, size: data.length, mtime: 1 },
      });
      if (r.status !== 200) throw new Error(`commit ${r.status}`);
      acked.set(p, r.body.entry.content_hash);
    } catch {
      return; // the server died under us: stop this worker
    }
  }
}

it(
  'survives repeated kill -9 during uploads and commits',
  async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-crash-'));
    const acked = new Map<string, string>();
    let account: Acct | null = null;
    try {
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const { child, url } = await startCli(dataDir);
        account ??= await signup(url, 'crash@example.com');
        const stop = { dead: false };
        const exited = new Promise((r) => child.once('exit', r));
        const runs = Array.from({ length: WORKERS }, (_, w) => worker(url, account!, cycle * 100 + w, acked, stop));
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
        child.kill('SIGKILL');
        await exited;
        stop.dead = true;
        await Promise.all(runs);
      }
      expect(acked.size).toBeGreaterThan(CYCLES);
      const verify = spawnSync(process.execPath, [CLI, 'verify', '--json', '--data', dataDir], { encoding: 'utf8' });
      const report = JSON.parse(verify.stdout) as { ok: boolean; missing: string[]; damaged: string[] };
      expect(report).toMatchObject({ ok: true, missing: [], damaged: [] });
      expect(verify.status).toBe(0);
      const { child, url } = await startCli(dataDir);
      try {
        for (const [p, hash] of acked) {
          const m = await call(url, 'meta', account!.token, { params: { ns: account!.ns }, query: { path: p } });
          expect([p, m.body.entry?.content_hash]).toEqual([p, hash]);
        }
        const tmp = await fs.readdir(path.join(dataDir, 'blocks', 'tmp'));
        expect(tmp).toEqual([]);
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  },
  90_000,
);
