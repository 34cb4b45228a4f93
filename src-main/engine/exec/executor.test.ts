import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CairnError, type ErrorCode } from '../../../src-shared/errors.ts';
import { node } from '../model.ts';
import type { RemoteClient } from '../remote/client.ts';
import type { Chunker } from '../scan/chunker.ts';
import { IgnoreRules } from '../scan/ignore.ts';
import { StateDb } from '../state/db.ts';
import { Executor } from './executor.ts';

let root: string;
let db: StateDb;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'cairn-exec-'));
  db = new StateDb(':memory:');
});
afterEach(async () => {
  db.close();
  await rm(root, { recursive: true, force: true });
});

/** An executor on this test's DB and folder, talking to `client` (a fake: unit tests only). */
function executor(client: RemoteClient): Executor {
  return new Executor({
    db,
    client,
    chunker: {} as Chunker,
    root,
    homeNs: 'ns',
    deviceName: 'dev',
    ignore: () => new IgnoreRules(),
    log: () => undefined,
    progress: () => undefined,
  });
}

describe('Executor.aside', () => {
  it('forgets the merge-base inode before renaming (a crash in between is never read as a move)', async () => {
    const ex = executor({} as RemoteClient);
    db.put('synced', node({ path: 'd', kind: 'folder', id: 'D', inode: 41 }));
    db.put('synced', node({ path: 'd/f', kind: 'file', id: 'F', rev: 'r', hash: 'h', inode: 42 }));
    // The rename fails (nothing on disk): the DB shows what a kill -9 right before it leaves.
    await expect(ex.aside('d', null)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(db.get('synced', 'd')?.inode).toBeNull();
    expect(db.get('synced', 'd/f')?.inode).toBeNull();
  });
});

describe('Executor.run: a move the server refuses', () => {
  it.each(['conflict', 'forbidden', 'path_exists'] as const)('%s: the move fails once (no retry here: the engine re-plans), changes nothing, and the next op runs', async (code: ErrorCode) => {
    const calls: string[] = [];
    // A fake client: every move is refused with `code`; nothing else may be called.
    const client = {
      call: (name: string) => {
        calls.push(name);
        return Promise.reject(name === 'move' ? new CairnError(code, `refused (${code})`) : new Error(`unexpected call ${name}`));
      },
    } as unknown as RemoteClient;
    const ex = executor(client);
    // doc.txt moved here into p/ (to carry to the server); x moved to y on the server (to carry here).
    await mkdir(path.join(root, 'p'));
    await writeFile(path.join(root, 'p/doc.txt'), 'doc');
    await writeFile(path.join(root, 'x'), 'x');
    const docIno = (await stat(path.join(root, 'p/doc.txt'))).ino;
    const xIno = (await stat(path.join(root, 'x'))).ino;
    db.put('synced', node({ path: 'doc.txt', kind: 'file', id: 'D', rev: 'r1', hash: 'hd', inode: docIno }));
    db.put('remote', node({ path: 'doc.txt', kind: 'file', id: 'D', rev: 'r1', hash: 'hd' }));
    db.put('local', node({ path: 'p', kind: 'folder', inode: 7 }));
    db.put('local', node({ path: 'p/doc.txt', kind: 'file', hash: 'hd', inode: docIno }));
    db.put('synced', node({ path: 'x', kind: 'file', id: 'X', rev: 'r2', hash: 'hx', inode: xIno }));
    db.put('remote', node({ path: 'y', kind: 'file', id: 'X', rev: 'r2', hash: 'hx' }));
    db.put('local', node({ path: 'x', kind: 'file', hash: 'hx', inode: xIno }));
    const local = db.get('local', 'x')!;
    const res = await ex.run(
      [
        { type: 'moveRemote', from: 'doc.txt', to: 'p/doc.txt', kind: 'file' },
        { type: 'moveLocal', from: 'x', to: 'y', local },
      ],
      () => false,
    );
    expect(calls).toEqual(['move']);
    expect(res.failed.map((f) => [f.op.type, f.error.code])).toEqual([['moveRemote', code]]);
    expect(res.done).toBe(1);
    // The refused move changed nothing: merge base and remote tree at the old path, the file on disk.
    expect(db.get('synced', 'doc.txt')).toMatchObject({ id: 'D', rev: 'r1', inode: docIno });
    expect(db.get('synced', 'p/doc.txt')).toBeUndefined();
    expect(db.get('remote', 'doc.txt')).toMatchObject({ id: 'D' });
    expect(await readFile(path.join(root, 'p/doc.txt'), 'utf8')).toBe('doc');
    // The other move ran.
    expect(await readFile(path.join(root, 'y'), 'utf8')).toBe('x');
    expect(db.get('synced', 'y')).toMatchObject({ id: 'X' });
  });
});

describe('Executor.run: a round that is stopped', () => {
  const moves = [
    { type: 'moveRemote' as const, from: 'a', to: 'b', kind: 'file' as const },
    { type: 'moveRemote' as const, from: 'c', to: 'd', kind: 'file' as const },
  ];
  /** A fake client whose every `move` fails with a transport error, after `before()` runs. */
  const failingClient = (before: () => void = () => undefined): RemoteClient =>
    ({
      call: () => {
        before();
        return Promise.reject(Object.assign(new Error('destroyed'), { code: 'UND_ERR_DESTROYED' }));
      },
    }) as unknown as RemoteClient;

  it('ops not started because the round stopped are skipped, not done and not failed', async () => {
    const res = await executor(failingClient()).run(moves, () => true);
    expect(res).toMatchObject({ done: 0, failed: [], skipped: moves, offline: false });
  });

  it('an op cut off while closing is skipped; the ops after it are not started', async () => {
    let closing = false;
    const res = await executor(failingClient(() => (closing = true))).run(moves, () => closing, () => closing);
    expect(res).toMatchObject({ done: 0, failed: [], skipped: [moves[0], moves[1]] });
  });

  it('ops a round gone offline did not carry out are skipped, not done', async () => {
    // What the real client makes of ECONNREFUSED and the like.
    const offline = { call: () => Promise.reject(new CairnError('offline', 'server unreachable (ECONNREFUSED)')) } as unknown as RemoteClient;
    const res = await executor(offline).run(moves, () => false);
    expect(res).toMatchObject({ done: 0, failed: [], skipped: moves, offline: true });
  });

  it('a pause (stop without closing) still reports a real failure of the op under way', async () => {
    let paused = false;
    const res = await executor(failingClient(() => (paused = true))).run(moves, () => paused, () => false);
    expect(res.failed.map((f) => [f.op, f.error.code])).toEqual([[moves[0], 'internal']]);
    expect(res.skipped).toEqual([moves[1]]);
  });
});
