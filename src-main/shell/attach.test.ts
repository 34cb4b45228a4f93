import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

vi.mock('electron', () => ({}));

import type { ControlEvent } from '../../src-shared/control.ts';
import { startControlServer, writeControlInfo, type ControlServer } from '../control/index.ts';
import { lockHome, type HomeLock } from '../engine/home-lock.ts';
import { attachControl } from './attach.ts';
import { fakeControl, status } from './test-fakes.ts';

let server: ControlServer | null = null;
let server2: ControlServer | null = null;
let home = '';
// The engine "running" for the home in these tests: attach follows an engine while its home
// lock is held, as a real engine holds it.
let held: HomeLock | null = null;
async function lockedHome(): Promise<string> {
  home = await mkdtemp(path.join(os.tmpdir(), 'cairn-attach-'));
  held = lockHome(home);
  return home;
}
afterEach(async () => {
  held?.release();
  held = null;
  await server?.close();
  server = null;
  await server2?.close();
  server2 = null;
  if (home) await rm(home, { recursive: true, force: true });
});

describe('attachControl', () => {
  it('calls and follows the engine that `cairn start` runs, over its real HTTP control transport', async () => {
    const engine = fakeControl(status({ state: 'syncing' }));
    server = await startControlServer({ api: engine.api, subscribe: engine.subscribe });
    await lockedHome();
    const info = { pid: process.pid, port: server.port, secret: server.secret };
    writeControlInfo(home, info);
    const control = attachControl(home, info, { retryMs: 20 });
    expect((await control.api.status({})).state).toBe('syncing');
    await expect(control.api.history({} as never)).rejects.toMatchObject({ code: 'bad_request' });
    const got: ControlEvent[] = [];
    const off = control.subscribe((e) => got.push(e));
    // The transport sends the current status first, then pushed events.
    await vi.waitFor(() => expect(got.length).toBeGreaterThan(0), { timeout: 10_000 });
    engine.emit({ type: 'status', status: status({ state: 'paused' }) });
    await vi.waitFor(() =>
      expect(got.some((e) => e.type === 'status' && e.status.state === 'paused')).toBe(true),
      { timeout: 10_000 },
    );
    off();
    await control.stop();
    expect(engine.stop).not.toHaveBeenCalled();
  });

  it('after `cairn start` restarts (new port, new secret), events keep coming', async () => {
    const first = fakeControl(status({ state: 'syncing' }));
    server = await startControlServer({ api: first.api, subscribe: first.subscribe });
    await lockedHome();
    const info = { pid: process.pid, port: server.port, secret: server.secret };
    writeControlInfo(home, info);
    const control = attachControl(home, info, { retryMs: 10 });
    const got: ControlEvent[] = [];
    control.subscribe((e) => got.push(e));
    await vi.waitFor(() => expect(got.length).toBeGreaterThan(0), { timeout: 10_000 });
    // The daemon restarts: the old server goes away, a new one writes a new control.json.
    await server.close();
    server = null;
    const second = fakeControl(status({ state: 'idle' }));
    server2 = await startControlServer({ api: second.api, subscribe: second.subscribe });
    expect(server2.secret).not.toBe(info.secret);
    writeControlInfo(home, { pid: process.pid, port: server2.port, secret: server2.secret });
    // The new engine's stream starts with its current status…
    await vi.waitFor(() =>
      expect(got.some((e) => e.type === 'status' && e.status.state === 'idle')).toBe(true),
      { timeout: 10_000 },
    );
    // …and then follows what it pushes.
    second.emit({ type: 'status', status: status({ state: 'offline' }) });
    await vi.waitFor(() =>
      expect(got.some((e) => e.type === 'status' && e.status.state === 'offline')).toBe(true),
      { timeout: 10_000 },
    );
    await control.stop();
  });

  it('tells the shell when no engine is alive any more, and stops reconnecting', async () => {
    const reads = vi.fn(() => null);
    const onEngineGone = vi.fn();
    const gone = new Promise<void>((resolve) => onEngineGone.mockImplementation(() => resolve()));
    // A pid that is not alive: the first attempt already finds no engine.
    const control = attachControl(
      '/nonexistent-home',
      { pid: 1, port: 1, secret: 's' },
      {
        retryMs: 1,
        readInfo: reads,
        isRunning: () => false,
        onEngineGone,
      },
    );
    control.subscribe(() => {});
    await gone;
    expect(onEngineGone).toHaveBeenCalledTimes(1);
    expect(reads).toHaveBeenCalledTimes(1); // one re-read after the first miss, then "gone" (goneAfter = 2)
    control.subscribe(() => {}); // a later subscriber does not start the loop again
    await control.stop();
    expect(onEngineGone).toHaveBeenCalledTimes(1);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('a stale control.json naming a live process is no engine: nothing holds the home', async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'cairn-attach-'));
    // This test's own pid: alive, as a recycled pid would be.
    const stale = { pid: process.pid, port: 1, secret: 'stale' };
    writeControlInfo(home, stale);
    const gone = new Promise<void>((resolve) => {
      const control = attachControl(home, stale, { retryMs: 1, onEngineGone: () => resolve() });
      control.subscribe(() => {});
    });
    await gone;
  });

  it('an engine that holds the home but is still starting (no control.json yet) is waited for', async () => {
    await lockedHome();
    const onEngineGone = vi.fn();
    const control = attachControl(home, null, { retryMs: 5, onEngineGone });
    const got: ControlEvent[] = [];
    control.subscribe((e) => got.push(e));
    const engine = fakeControl(status({ state: 'syncing' }));
    server = await startControlServer({ api: engine.api, subscribe: engine.subscribe });
    writeControlInfo(home, { pid: process.pid, port: server.port, secret: server.secret });
    await vi.waitFor(() => expect(got.some((e) => e.type === 'status' && e.status.state === 'syncing')).toBe(true), { timeout: 10_000 });
    expect(onEngineGone).not.toHaveBeenCalled();
    await control.stop();
  });
});
