import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CairnError, type ErrorCode } from '../../src-shared/errors.ts';
import type { RemoteClient } from '../../src-main/engine/remote/client.ts';
import { World, exists, until, type Dev } from './helpers.ts';

// Issue 4 gaps: an op the server keeps refusing waits on its own; the rest of the queue runs.
let w: World;
afterEach(async () => {
  await w?.cleanup();
});

/** A world of devices A and B in sync on `doc.txt` (set as `w`, cleaned up after each test). */
async function twoDevicesWithDoc(): Promise<{ a: Dev; b: Dev }> {
  w = await World.create();
  const a = await w.device('A');
  const b = await w.device('B');
  await writeFile(path.join(a.folder, 'doc.txt'), 'doc');
  await w.settle();
  return { a, b };
}

describe('refused ops', () => {
  it('a move the server refuses is reported and backed off alone; unrelated changes still sync', async () => {
    const { a, b } = await twoDevicesWithDoc();
    a.engine.pause();
    // A moves doc.txt into a new folder p while B, at the same time, creates a FILE named p:
    // the server refuses the move (parent_not_folder) for as long as B's file is there.
    await mkdir(path.join(a.folder, 'p'));
    await rename(path.join(a.folder, 'doc.txt'), path.join(a.folder, 'p/doc.txt'));
    await writeFile(path.join(a.folder, 'other.txt'), 'unrelated');
    await writeFile(path.join(b.folder, 'p'), 'B file');
    expect(await b.engine.waitIdle(20_000)).toBe(true);
    a.engine.resume();
    await w.settle();
    // The refusal was reported, not silently retried.
    expect(a.engine.activity(200).some((x) => x.path === 'p/doc.txt' && x.action === 'error' && /parent_not_folder/.test(x.detail ?? ''))).toBe(true);
    // Unrelated work ran while the move waited, and the clash was settled (A's folder set aside
    // as a conflicted copy, after which the move into it went through): nothing lost.
    expect(await readFile(path.join(b.folder, 'other.txt'), 'utf8')).toBe('unrelated');
    expect(await readFile(path.join(a.folder, 'p'), 'utf8')).toBe('B file');
    const copies = (await readdir(b.folder)).filter((n) => n.startsWith('p (conflicted copy'));
    expect(copies).toHaveLength(1);
    expect(await readFile(path.join(b.folder, copies[0]!, 'doc.txt'), 'utf8')).toBe('doc');
    expect(await exists(path.join(b.folder, 'doc.txt'))).toBe(false);
    expect(a.engine.status().issues).toEqual([]);
  });

  // A real server cannot be made to keep answering these to a move, so the device's client
  // answers them itself (a fake for `move` only; everything else is the real server).
  it.each(['conflict', 'forbidden', 'path_exists'] as const)(
    'a move refused with %s is retried, then backed off alone and reported at its target; the rest syncs, wait-idle is not blocked, nothing is lost',
    async (code: ErrorCode) => {
      const { a, b } = await twoDevicesWithDoc();
      const attempts: number[] = [];
      let refusing = true;
      refuseMoves(a.engine.remote(), code, () => refusing, attempts);
      // Paused, so the engine sees the move whole (not a new file, then a delete).
      a.engine.pause();
      await mkdir(path.join(a.folder, 'p'));
      await rename(path.join(a.folder, 'doc.txt'), path.join(a.folder, 'p/doc.txt'));
      await writeFile(path.join(a.folder, 'other.txt'), 'unrelated');
      a.engine.resume();
      // Not blocked: A gets idle while the server keeps refusing, with the refusal reported
      // at the move's target.
      await until(() => a.engine.status().issues.some((i) => i.path === 'p/doc.txt' && i.code === code), 20_000, 'the refusal reported');
      expect(await a.engine.waitIdle(20_000)).toBe(true);
      expect(a.engine.activity(200).some((x) => x.path === 'p/doc.txt' && x.action === 'error' && x.detail?.includes(code))).toBe(true);
      // Retried right away a few times (the server may have moved on: pull, re-plan), then
      // backed off: no attempt follows the fourth sooner than its back-off (8 s, doubling).
      expect(attempts.length).toBeGreaterThanOrEqual(4);
      for (let i = 4; i < attempts.length; i++) expect(attempts[i]! - attempts[i - 1]!).toBeGreaterThanOrEqual(7_900);
      // The rest ran meanwhile: B has the new file (and the new folder); nothing was lost:
      // A keeps the moved file, the server (and B) the file at its old path.
      await until(() => exists(path.join(b.folder, 'other.txt')), 20_000, 'other.txt on B');
      expect(await b.engine.waitIdle(20_000)).toBe(true);
      expect(await readFile(path.join(b.folder, 'other.txt'), 'utf8')).toBe('unrelated');
      expect(await readFile(path.join(a.folder, 'p/doc.txt'), 'utf8')).toBe('doc');
      expect(await exists(path.join(a.folder, 'doc.txt'))).toBe(false);
      expect(await readFile(path.join(b.folder, 'doc.txt'), 'utf8')).toBe('doc');
      // Once the server accepts it, the move goes through after its back-off and the issue goes.
      refusing = false;
      await until(() => exists(path.join(b.folder, 'p/doc.txt')), 30_000, 'the move carried out on B');
      await w.settle();
      expect(await readFile(path.join(b.folder, 'p/doc.txt'), 'utf8')).toBe('doc');
      expect(await exists(path.join(b.folder, 'doc.txt'))).toBe(false);
      expect(a.engine.status().issues).toEqual([]);
      expect(b.engine.status().issues).toEqual([]);
    },
    60_000,
  );
});

describe('refused moves, settled by the user', () => {
  it('a refused move undone locally is forgotten at once: its issue goes, no retry, nothing lost', async () => {
    const { a, b } = await twoDevicesWithDoc();
    const attempts: number[] = [];
    refuseMoves(a.engine.remote(), 'conflict', () => true, attempts);
    a.engine.pause();
    await mkdir(path.join(a.folder, 'p'));
    await rename(path.join(a.folder, 'doc.txt'), path.join(a.folder, 'p/doc.txt'));
    a.engine.resume();
    await until(() => a.engine.status().issues.some((i) => i.path === 'p/doc.txt'), 20_000, 'the refusal reported');
    expect(await a.engine.waitIdle(20_000)).toBe(true);
    const tried = attempts.length;
    // The user moves it back: the move is no longer planned, so it is no longer refused.
    a.engine.pause();
    await rename(path.join(a.folder, 'p/doc.txt'), path.join(a.folder, 'doc.txt'));
    a.engine.resume();
    expect(await a.engine.waitIdle(20_000)).toBe(true);
    expect(a.engine.status().issues).toEqual([]);
    expect(attempts.length).toBe(tried);
    await w.settle();
    expect(await readFile(path.join(a.folder, 'doc.txt'), 'utf8')).toBe('doc');
    expect(await readFile(path.join(b.folder, 'doc.txt'), 'utf8')).toBe('doc');
  });
});

/**
 * Makes `client` answer every `move` with CairnError `code` while `on()` is true (recording
 * each attempt's time in `attempts`); every other call goes to the real server.
 */
function refuseMoves(client: RemoteClient, code: ErrorCode, on: () => boolean, attempts: number[]): void {
  const real = client.call.bind(client);
  client.call = ((name: Parameters<RemoteClient['call']>[0], input?: Parameters<RemoteClient['call']>[1]) => {
    if (name === 'move' && on()) {
      attempts.push(Date.now());
      return Promise.reject(new CairnError(code, `refused by the test (${code})`));
    }
    return real(name, input);
  }) as RemoteClient['call'];
}
