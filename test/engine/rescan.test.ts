// The periodic full rescan: a change no watcher reported (here: no watcher at all) is still
// found and synced, without any other wake-up.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, exists, until } from './helpers.ts';

let w: World;
beforeAll(async () => {
  w = await World.create();
});
afterAll(async () => {
  await w.cleanup();
});

describe('periodic full rescan', () => {
  it('finds a change the watcher never reported', async () => {
    const a = await w.device('A', { watch: false, rescanMs: 300 });
    const b = await w.device('B');
    await w.settle();
    await writeFile(path.join(a.folder, 'unreported.txt'), 'no event for this one');
    await until(() => exists(path.join(b.folder, 'unreported.txt')), 15_000, 'B to receive the file');
    await w.settle();
    expect(await readFile(path.join(b.folder, 'unreported.txt'), 'utf8')).toBe('no event for this one');
  });
});
