import { afterEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { World } from './helpers.ts';

let w: World;
afterEach(async () => {
  await w?.cleanup();
});

describe('conflicts name both devices', () => {
  it("ConflictInfo gives the copy's device and the device that wrote the original's current version", async () => {
    w = await World.create();
    const a = await w.device('laptop');
    const b = await w.device('desktop');
    await writeFile(path.join(a.folder, 'plan.txt'), 'v0');
    await w.settle();
    a.engine.pause();
    await writeFile(path.join(a.folder, 'plan.txt'), 'laptop edit');
    await writeFile(path.join(b.folder, 'plan.txt'), 'desktop edit');
    expect(await b.engine.waitIdle(20_000)).toBe(true);
    a.engine.resume();
    await w.settle();
    const cs = a.engine.conflicts();
    expect(cs).toHaveLength(1);
    const c = cs[0]!;
    expect(c).toMatchObject({ original: 'plan.txt', device_name: 'laptop', original_device_name: 'desktop' });
    expect(await readFile(path.join(a.folder, c.path), 'utf8')).toBe('laptop edit');
    expect(await readFile(path.join(a.folder, 'plan.txt'), 'utf8')).toBe('desktop edit');
    // The other device sees the uploaded copy too; its original is still the desktop's.
    expect(b.engine.conflicts().map((x) => [x.device_name, x.original_device_name])).toEqual([['laptop', 'desktop']]);
  });
});
