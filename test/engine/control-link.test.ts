import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Engine } from '../../src-main/engine/index.ts';
import { createControlApi, dispatch } from '../../src-main/control/index.ts';
import { World } from './helpers.ts';

let w: World;
let engine: Engine | null = null;
beforeEach(async () => {
  w = await World.create();
});
afterEach(async () => {
  await engine?.stop();
  await w.cleanup();
});

describe('first run through the control API', () => {
  it('an unlinked engine is in setup; link signs up and starts syncing; bad input changes nothing', async () => {
    const home = path.join(w.tmp, 'home-ui');
    const folder = path.join(w.tmp, 'folder-ui');
    engine = new Engine({ home });
    await engine.start();
    const api = createControlApi(engine);
    expect((await dispatch(api, 'status', {}) as { state: string }).state).toBe('setup');
    await expect(dispatch(api, 'link', { mode: 'signup', server: w.server.url, email: 'ui@example.com', password: 'short', folder })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(dispatch(api, 'link', { mode: 'signup', server: w.server.url, email: 'ui@example.com', password: 'long enough', folder: 'relative/path' })).rejects.toMatchObject({ code: 'bad_request' });
    expect(existsSync(path.join(home, 'device.json'))).toBe(false);
    const st = (await dispatch(api, 'link', { mode: 'signup', server: w.server.url, email: 'ui@example.com', password: 'long enough', device_name: 'UI', folder })) as { state: string; device_name: string };
    expect(st.state).not.toBe('setup');
    expect(st.device_name).toBe('UI');
    await writeFile(path.join(folder, 'first.txt'), 'hello');
    expect(((await dispatch(api, 'waitIdle', { timeout_ms: 20_000 })) as { idle: boolean }).idle).toBe(true);
    expect(((await dispatch(api, 'ls', {})) as { entries: Array<{ path: string; state: string }> }).entries).toEqual([expect.objectContaining({ path: 'first.txt', state: 'synced' })]);
    await dispatch(api, 'logout', {});
    expect((await dispatch(api, 'status', {}) as { state: string }).state).toBe('setup');
    expect(existsSync(path.join(home, 'device.json'))).toBe(false);
  });
});
