import { describe, expect, it, vi } from 'vitest';

// The IPC layer must not need a real Electron: everything it touches is passed in.
vi.mock('electron', () => ({}));

import { CairnError } from '../../src-shared/errors.ts';
import {
  CALL_CHANNEL,
  EVENT_CHANNEL,
  forwardEvents,
  registerControlIpc,
  validateCall,
  type IpcReply,
} from './ipc.ts';
import { fakeControl } from './test-fakes.ts';

type Handler = (
  event: { senderFrame: { url: string } | null },
  method: unknown,
  input: unknown,
) => Promise<IpcReply>;

function setup(control = fakeControl()) {
  let handler: Handler | null = null;
  const ipcMain = {
    handle: vi.fn((channel: string, h: Handler) => {
      expect(channel).toBe(CALL_CHANNEL);
      handler = h;
    }),
    removeHandler: vi.fn(),
  };
  const afterCall = vi.fn();
  const off = registerControlIpc(ipcMain as never, control, {
    isTrustedSender: (u) => u.startsWith('app://cairn/'),
    afterCall,
  });
  const call = (method: unknown, input?: unknown, url = 'app://cairn/index.html') =>
    handler!({ senderFrame: { url } }, method, input);
  return { control, call, off, ipcMain, afterCall };
}

describe('IPC validation', () => {
  it('passes a valid call through and wraps the result', async () => {
    const { control, call, afterCall } = setup();
    const reply = await call('history', { path: 'a.txt' });
    expect(reply).toEqual({ ok: true, result: {} });
    expect(control.calls).toHaveBeenCalledWith('history', { path: 'a.txt' });
    expect(afterCall).toHaveBeenCalledWith('history', {});
  });

  it('treats a missing input as {} for methods without input', async () => {
    const { call } = setup();
    const reply = await call('status', undefined);
    expect(reply.ok).toBe(true);
  });

  it.each([
    ['an unknown method', 'deleteEverything', {}],
    ['a prototype key as method', '__proto__', {}],
    ['a non-string method', 42, {}],
    ['a missing required field', 'history', {}],
    ['a field of the wrong type', 'history', { path: 7 }],
    ['an out-of-range value', 'activity', { limit: 1_000_000 }],
    ['a value outside an enum', 'resolveConflict', { path: 'a', keep: 'everything' }],
    ['a non-object input', 'excludeAdd', 'Photos'],
    [
      'a too-short password',
      'link',
      { mode: 'login', server: 'http://x', email: 'a@b.c', password: 'short', folder: '/f' },
    ],
    ['an oversized input', 'excludePreview', { paths: Array.from({ length: 1000 }, () => 'x'.repeat(1000)) }],
    ['a picker title that is not text', 'pickFolder', { title: 42 }],
    ['an owner role in an invitation', 'shareAdd', { path: 'Team', email: 'b@example.com', role: 'owner' }],
    ['an invitation without an email', 'shareAdd', { path: 'Team', role: 'editor' }],
    ['an empty share path', 'shareLeave', { path: '' }],
    ['an invitation id with a slash', 'shareAccept', { id: '../../links' }],
    ['a negative link expiry', 'linkCreate', { path: 'a.txt', expires_at: -1 }],
    ['an empty link password', 'linkCreate', { path: 'a.txt', password: '' }],
    ['an empty link id', 'linkRevoke', { id: '' }],
  ])('refuses %s with bad_request, and the control service never sees it', async (_what, method, input) => {
    const { control, call } = setup();
    const reply = await call(method, input);
    expect(reply.ok).toBe(false);
    expect(reply.ok === false && reply.error.code).toBe('bad_request');
    expect(control.calls).not.toHaveBeenCalled();
  });

  it('refuses calls from any page other than the app', async () => {
    const { control, call } = setup();
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', '']) {
      const reply = await call('pause', {}, url);
      expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(control.calls).not.toHaveBeenCalled();
  });

  it('keeps the stable code of engine errors and hides other throwables as internal', async () => {
    const control = fakeControl();
    (control.api as unknown as Record<string, unknown>).restore = async () => {
      throw new CairnError('not_found', 'no such revision');
    };
    (control.api as unknown as Record<string, unknown>).undelete = async () => {
      throw new TypeError('boom');
    };
    const { call } = setup(control);
    expect(await call('restore', { path: 'a', rev: 'r1' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'no such revision' },
    });
    expect(await call('undelete', { path: 'a' })).toEqual({
      ok: false,
      error: { code: 'internal', message: 'boom' },
    });
  });

  it("answers the shell's own methods (pickFolder) itself, after the same checks", async () => {
    const control = fakeControl();
    let handler: Handler | null = null;
    const pickFolder = vi.fn(async () => ({ path: '/home/u/Cairn' }));
    registerControlIpc(
      { handle: (_c: string, h: Handler) => void (handler = h), removeHandler: vi.fn() } as never,
      control,
      { isTrustedSender: (u) => u.startsWith('app://cairn/'), shellMethods: { pickFolder } },
    );
    const call = (input: unknown, url = 'app://cairn/index.html') =>
      handler!({ senderFrame: { url } }, 'pickFolder', input);
    expect(await call({ title: 'Choose' })).toEqual({ ok: true, result: { path: '/home/u/Cairn' } });
    expect(pickFolder).toHaveBeenCalledWith({ title: 'Choose' });
    expect((await call({ default_path: 7 })).ok).toBe(false);
    expect((await call({}, 'https://evil.example/')).ok).toBe(false);
    expect(pickFolder).toHaveBeenCalledTimes(1);
    expect(control.calls).not.toHaveBeenCalled();
  });

  it('validateCall throws CairnError bad_request', () => {
    expect(() => validateCall('nope', {})).toThrow(CairnError);
    expect(validateCall('pause', null)).toEqual({ method: 'pause', input: {} });
  });

  it('removes its handler', () => {
    const { off, ipcMain } = setup();
    off();
    expect(ipcMain.removeHandler).toHaveBeenCalledWith(CALL_CHANNEL);
  });
});

describe('event forwarding', () => {
  it('sends control events to a live window only', () => {
    const control = fakeControl();
    const contents = { send: vi.fn(), isDestroyed: vi.fn(() => false) };
    const off = forwardEvents(control, contents);
    const ev = {
      type: 'activity',
      item: { id: 1, time: 1, path: 'a', action: 'uploaded', device_name: null, detail: null },
    } as const;
    control.emit(ev);
    expect(contents.send).toHaveBeenCalledWith(EVENT_CHANNEL, ev);
    contents.isDestroyed.mockReturnValue(true);
    control.emit(ev);
    expect(contents.send).toHaveBeenCalledTimes(1);
    off();
  });
});
