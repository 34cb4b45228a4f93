import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

vi.mock('electron', () => ({}));

import type { ControlEvent } from '../../src-shared/control.ts';
import { startControlServer, writeControlInfo, type ControlServer } from '../control/index.ts';
import { attachControl, sseData } from './attach.ts';
import { fakeControl, status } from './test-fakes.ts';

let server: ControlServer | null = null;
let home = '';
afterEach(async () => {
  await server?.close();
  server = null;
  if (home) await rm(home, { recursive: true, force: true });
});

describe('sseData', () => {
  it('splits data messages and keeps the unfinished tail', () => {
    expect(sseData(': hi\n\ndata: {"a":1}\n\ndata: x\r\ndata: y\r\n\r\ndata: part')).toEqual({
      messages: ['{"a":1}', 'x\ny'],
      rest: 'data: part',
    });
  });
});

describe('attachControl', () => {
  it('calls and follows the engine that `cairn start` runs, over its real HTTP control transport', async () => {
    const engine = fakeControl(status({ state: 'syncing' }));
    server = await startControlServer({ api: engine.api, subscribe: engine.subscribe });
    home = await mkdtemp(path.join(os.tmpdir(), 'cairn-attach-'));
    const info = { pid: process.pid, port: server.port, secret: server.secret };
    writeControlInfo(home, info);
    const control = attachControl(home, info, { retryMs: 20 });
    expect((await control.api.status({})).state).toBe('syncing');
    await expect(control.api.history({} as never)).rejects.toMatchObject({ code: 'bad_request' });
    const got: ControlEvent[] = [];
    const off = control.subscribe((e) => got.push(e));
    // The transport sends the current status first, then pushed events.
    await vi.waitFor(() => expect(got.length).toBeGreaterThan(0));
    engine.emit({ type: 'status', status: status({ state: 'paused' }) });
    await vi.waitFor(() =>
      expect(got.some((e) => e.type === 'status' && e.status.state === 'paused')).toBe(true),
    );
    off();
    await control.stop();
    expect(engine.stop).not.toHaveBeenCalled();
  });
});
