import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { World, exists } from './helpers.ts';

// Issue 4 gaps: an op the server keeps refusing waits on its own; the rest of the queue runs.
let w: World;
afterEach(async () => {
  await w?.cleanup();
});

describe('refused ops', () => {
  it('a move the server refuses is reported and backed off alone; unrelated changes still sync', async () => {
    w = await World.create();
    const a = await w.device('A');
    const b = await w.device('B');
    await writeFile(path.join(a.folder, 'doc.txt'), 'doc');
    await w.settle();
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
});
