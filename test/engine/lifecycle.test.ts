// An engine's life on its home: one engine per home, and a stop that does not wait for a large
// transfer on a slow link (it is cut off and done again by the next start, nothing lost).
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Engine, readCredentials } from '../../src-main/engine/index.ts';
import { RemoteClient } from '../../src-main/engine/remote/client.ts';
import { World, until } from './helpers.ts';

let w: World | null = null;
afterEach(async () => {
  await w?.cleanup();
  w = null;
});

it('a second engine on a running home is refused with `unavailable`; once stopped, the home opens again', async () => {
  w = await World.create();
  const A = await w.device('A');
  expect(() => new Engine({ home: A.home, folder: A.folder })).toThrow(expect.objectContaining({ code: 'unavailable', details: { pid: process.pid } }));
  // The refused engine left nothing open: the running one still syncs.
  await writeFile(path.join(A.folder, 'still.txt'), 'syncing');
  await w.settle();
  await w.restart(A);
  expect(A.engine.status().folder).toBe(A.folder);
});

it('stop cuts off an upload that would take long on a slow link; the next start sends it', async () => {
  w = await World.create();
  const A = await w.device('A');
  await w.settle();
  // Below the early-upload size, so the executor's upload is the one running. At 256 KiB/s
  // it needs 16 s, far beyond the stop's grace (2 s).
  const data = randomBytes(4 * 1024 * 1024);
  A.engine.setSettings({ upload_limit_bps: 256 * 1024 });
  const up0 = A.engine.stats().bytes_up;
  await writeFile(path.join(A.folder, 'big.bin'), data);
  await until(() => A.engine.stats().bytes_up > up0, 20_000, 'the upload under way');
  await A.engine.stop();
  const creds = readCredentials(A.home)!;
  const client = new RemoteClient({ server: creds.server, token: creds.token });
  const names = async (): Promise<string[]> => (await client.call('list', { params: { ns: creds.home_ns }, query: { path: '' } })).entries.map((e) => e.path);
  expect(await names()).not.toContain('big.bin');
  // Nothing of the cut-off upload counts against the file: no issue, no error in the log.
  A.engine = new Engine({ home: A.home, folder: A.folder, pollMs: 60_000 });
  A.engine.setSettings({ upload_limit_bps: 0 });
  await A.engine.start();
  await w.settle(60_000);
  expect(A.engine.status().issues).toEqual([]);
  expect(A.engine.activity().filter((a) => a.action === 'error')).toEqual([]);
  expect(await names()).toContain('big.bin');
  const B = await w.device('B');
  await w.settle(60_000);
  expect((await readFile(path.join(B.folder, 'big.bin'))).equals(data)).toBe(true);
  await client.close();
});
