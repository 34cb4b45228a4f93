import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startFaultProxy, type FaultProxy } from '../chaos/proxy.ts';
import { World, exists, until } from './helpers.ts';

let w: World;
let proxy: FaultProxy;
beforeEach(async () => {
  w = await World.create();
  proxy = await startFaultProxy({ host: '127.0.0.1', port: w.server.port });
});
afterEach(async () => {
  await w.cleanup();
  await proxy.close();
});

describe('7. offline', () => {
  it('local changes queue durably while the server is unreachable, survive a restart, then sync with conflicts', async () => {
    const b = await w.device('B');
    const a = await w.device('A', {}, true, proxy.url);
    await writeFile(path.join(a.folder, 'x.txt'), 'x0');
    await writeFile(path.join(a.folder, 'z.txt'), 'z0');
    await w.settle();
    proxy.set({ offline: true });
    await writeFile(path.join(a.folder, 'x.txt'), 'A offline edit');
    await writeFile(path.join(a.folder, 'y.txt'), 'made offline');
    await rm(path.join(a.folder, 'z.txt'));
    await until(() => a.engine.status().state === 'offline', 10_000, 'A offline');
    // The client restarts while still offline: nothing is lost.
    await w.restart(a);
    await until(() => a.engine.status().state === 'offline', 10_000, 'A offline after restart');
    // Meanwhile the server moved on.
    await writeFile(path.join(b.folder, 'x.txt'), 'B edit');
    expect(await b.engine.waitIdle(10_000)).toBe(true);
    proxy.set({ offline: false });
    await w.settle();
    expect(await readFile(path.join(b.folder, 'x.txt'), 'utf8')).toBe('B edit');
    const copies = (await readdir(b.folder)).filter((n) => n.startsWith('x (conflicted copy from A '));
    expect(copies).toHaveLength(1);
    expect(await readFile(path.join(b.folder, copies[0] as string), 'utf8')).toBe('A offline edit');
    expect(await readFile(path.join(b.folder, 'y.txt'), 'utf8')).toBe('made offline');
    expect(await exists(path.join(b.folder, 'z.txt'))).toBe(false);
    expect(a.engine.integrityCheck()).toEqual([]);
  });
});
