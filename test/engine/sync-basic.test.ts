import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { World, treeOf } from './helpers.ts';

let w: World;
beforeEach(async () => {
  w = await World.create();
});
afterEach(async () => {
  await w.cleanup();
});

describe('two devices', () => {
  it('a file written on A appears on B, then edits and deletes follow', async () => {
    const a = await w.device('A');
    const b = await w.device('B');
    await mkdir(path.join(a.folder, 'docs'), { recursive: true });
    await writeFile(path.join(a.folder, 'docs/hello.txt'), 'hello from A');
    await w.settle();
    expect(await readFile(path.join(b.folder, 'docs/hello.txt'), 'utf8')).toBe('hello from A');
    await writeFile(path.join(b.folder, 'docs/hello.txt'), 'edited on B');
    await w.settle();
    expect(await readFile(path.join(a.folder, 'docs/hello.txt'), 'utf8')).toBe('edited on B');
    expect(await treeOf(a.folder)).toEqual(await treeOf(b.folder));
    for (const d of w.devs) expect(d.engine.integrityCheck()).toEqual([]);
  });
});
