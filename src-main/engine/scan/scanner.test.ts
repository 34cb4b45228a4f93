import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TreeNode } from '../model.ts';
import type { BlockRef, Chunker } from './chunker.ts';
import { IgnoreRules } from './ignore.ts';
import { scan } from './scanner.ts';
import { StateDb } from '../state/db.ts';

// A one-block fake chunker (unit test only): counts calls, can misbehave on demand.
let calls = 0;
let onChunk: ((p: string) => Promise<void>) | null = null;
const chunker: Chunker = {
  async chunkFile(p: string): Promise<BlockRef[]> {
    calls++;
    const data = await readFile(p);
    if (onChunk) await onChunk(p);
    return data.length === 0 ? [] : [{ offset: 0, length: data.length, hash: createHash('sha256').update(data).digest('hex') }];
  },
};

let root: string;
beforeEach(async () => {
  calls = 0;
  onChunk = null;
  root = await mkdtemp(path.join(os.tmpdir(), 'cairn-scan-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const run = (prev: Map<string, TreeNode> = new Map(), scopes = ['']) =>
  scan({ root, scopes, prev: (p) => prev.get(p), ignore: new IgnoreRules(), chunker });

describe('scan', () => {
  it('reads files and folders, and reports what cannot be synced instead of dropping it silently', async () => {
    await mkdir(path.join(root, 'd'));
    await writeFile(path.join(root, 'd/a.txt'), 'a');
    await writeFile(path.join(root, 'empty'), '');
    await symlink('/etc/hostname', path.join(root, 'link'));
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    await writeFile(path.join(root, 'bad\\name'), 'x');
    await writeFile(path.join(root, 'aux.txt'), 'x');
    await writeFile(path.join(root, 'Same.txt'), '1');
    await writeFile(path.join(root, 'same.txt'), '2');
    await writeFile(path.join(root, '.DS_Store'), 'x');
    const r = await run();
    const byPath = new Map(r.nodes.map((n) => [n.path, n]));
    expect([...byPath.keys()].sort()).toEqual(['Same.txt', 'aux.txt', 'd', 'd/a.txt', 'empty']);
    expect(byPath.get('empty')?.hash).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const issues = Object.fromEntries(r.issues.map((i) => [i.path, i.code]));
    expect(issues).toEqual({ link: 'symlink', pipe: 'special_file', 'bad\\name': 'path_invalid', 'aux.txt': 'non_portable', 'same.txt': 'path_case_collision' });
    for (const i of r.issues) expect(i.action.length).toBeGreaterThan(10);
  });

  it('fast path: an unchanged file is not read again; a changed one is', async () => {
    await writeFile(path.join(root, 'f'), 'one');
    // A file stamped within the racy margin of its hashing (here: in the future) is re-read.
    const soon = new Date(Date.now() + 10_000);
    await utimes(path.join(root, 'f'), soon, soon);
    const racy = await run();
    expect(calls).toBe(1);
    await run(new Map(racy.nodes.map((n) => [n.path, n])));
    expect(calls).toBe(2);
    calls = 0;
    const past = new Date(Date.now() - 60_000);
    await utimes(path.join(root, 'f'), past, past);
    const first = await run();
    expect(calls).toBe(1);
    const prev = new Map(first.nodes.map((n) => [n.path, n]));
    await run(prev);
    expect(calls).toBe(1);
    await appendFile(path.join(root, 'f'), ' two');
    const third = await run(prev);
    expect(calls).toBe(2);
    expect(third.nodes[0]?.hash).not.toBe(first.nodes[0]?.hash);
  });

  it('a file that changes while read is retried later and keeps its previous node (never torn, never "deleted")', async () => {
    await writeFile(path.join(root, 'busy'), 'v1');
    const prev = new Map((await run()).nodes.map((n) => [n.path, n]));
    await writeFile(path.join(root, 'busy'), 'v2 longer');
    onChunk = async (p) => appendFile(p, ' and more');
    const r = await run(prev);
    expect(r.issues.map((i) => i.code)).toEqual(['changed_during_read']);
    expect(r.nodes.find((n) => n.path === 'busy')).toEqual(prev.get('busy'));
    expect(r.hashed.size).toBe(0);
  });

  it('with prevChildren (one lookup per folder) finds exactly what per-path lookups find', async () => {
    const past = new Date(Date.now() - 60_000);
    for (const d of ['', 'd', 'd/e', 'd/😀']) {
      if (d) await mkdir(path.join(root, d), { recursive: true });
      for (const f of ['a.txt', 'B.txt', '😀.bin']) {
        await writeFile(path.join(root, d, f), `${d}/${f}`);
        await utimes(path.join(root, d, f), past, past);
      }
    }
    await writeFile(path.join(root, 'd/b.txt'), 'collides with B.txt');
    const db = new StateDb(':memory:');
    const first = await run();
    db.tx(() => {
      for (const n of first.nodes) db.put('local', n);
    });
    calls = 0;
    const viaKids = await scan({ root, scopes: [''], prev: () => undefined, prevChildren: (p) => db.childrenLite('local', p), ignore: new IgnoreRules(), chunker });
    const viaPaths = await scan({ root, scopes: [''], prev: (p) => db.getLite('local', p), ignore: new IgnoreRules(), chunker });
    expect(calls).toBe(0); // every file took the fast path both times
    const sorted = (r: typeof first) => r.nodes.map((n) => ({ ...n, blocks: null, device: null })).sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(sorted(viaKids)).toEqual(sorted(viaPaths));
    expect(sorted(viaKids)).toEqual(sorted(first));
    // The name the previous tree knows wins the case collision in both forms.
    expect(viaKids.issues).toEqual(viaPaths.issues);
    expect(viaKids.issues.map((i) => [i.path, i.code])).toEqual([['d/b.txt', 'path_case_collision']]);
  });

  it('a folder larger than one lstat batch is read whole', async () => {
    await mkdir(path.join(root, 'big'));
    for (let i = 0; i < 700; i++) await writeFile(path.join(root, 'big', `f${i}`), String(i));
    const r = await run();
    expect(r.nodes.filter((n) => n.kind === 'file')).toHaveLength(700);
    expect(calls).toBe(700);
  });

  it('reports a missing root instead of an empty tree', async () => {
    await rm(root, { recursive: true });
    expect((await run()).rootMissing).toBe(true);
    await mkdir(root);
  });
});

describe('scan: stopped', () => {
  it('ends at the next file once stopped() is true, with `unavailable` and no partial result', async () => {
    for (let i = 0; i < 20; i++) await writeFile(path.join(root, `f${i}`), `file ${i}`);
    let stop = false;
    // The first file hashed asks to stop (as Engine.stop would, mid-scan).
    onChunk = async () => {
      stop = true;
    };
    const scanning = scan({ root, scopes: [''], prev: () => undefined, ignore: new IgnoreRules(), chunker, concurrency: 1, stopped: () => stop });
    await expect(scanning).rejects.toMatchObject({ code: 'unavailable' });
    expect(calls).toBe(1);
  });

  it('reads no further folder once stopped', async () => {
    await mkdir(path.join(root, 'd'));
    await writeFile(path.join(root, 'd/a'), 'a');
    const asked: string[] = [];
    let polls = 0;
    // The root is read (its entries pass `skip`); the stop comes before its subfolder `d` is.
    const skip = (p: string): boolean => {
      asked.push(p);
      return false;
    };
    const scanning = scan({ root, scopes: [''], prev: () => undefined, skip, ignore: new IgnoreRules(), chunker, stopped: () => polls++ > 0 });
    await expect(scanning).rejects.toMatchObject({ code: 'unavailable' });
    expect(asked).toContain('d');
    expect(asked).not.toContain('d/a');
    expect(calls).toBe(0);
  });

  it('waits for every file being hashed before it ends', async () => {
    for (let i = 0; i < 8; i++) await writeFile(path.join(root, `f${i}`), `file ${i}`);
    let stop = false;
    let started = 0;
    let hashing = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    // Four files hashed at once: the first asks to stop and ends; the other three are held.
    onChunk = async () => {
      if (++started === 1) {
        stop = true;
        return;
      }
      hashing++;
      await held;
      hashing--;
    };
    let ended = false;
    let sawStop: () => void = () => undefined;
    const stopSeen = new Promise<void>((r) => (sawStop = r));
    const stopped = (): boolean => {
      if (stop) sawStop();
      return stop;
    };
    const scanning = scan({ root, scopes: [''], prev: () => undefined, ignore: new IgnoreRules(), chunker, concurrency: 4, stopped });
    void scanning.catch(() => undefined).finally(() => (ended = true));
    // The first worker has seen the stop (and thrown); the scan must still wait for the others.
    await stopSeen;
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    expect(ended).toBe(false);
    release();
    await expect(scanning).rejects.toMatchObject({ code: 'unavailable' });
    expect(ended).toBe(true);
    expect(hashing).toBe(0);
  });
});
