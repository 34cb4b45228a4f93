import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';

// A stand-in for the parts of Electron main.ts touches, recording what it is asked to do.
const h = vi.hoisted(() => {
  type Mock = ReturnType<typeof vi.fn>;
  const listeners: Record<string, ((...a: unknown[]) => void)[]> = {};
  const state = {
    lock: true,
    menus: [] as { label?: string; id?: string; enabled?: boolean }[][],
    images: [] as string[],
    windows: [] as { url: string; prefs: Record<string, unknown>; win: { show: Mock; focus: Mock } }[],
    ipcHandler: null as null | ((e: unknown, method: unknown, input: unknown) => Promise<unknown>),
    dialogResult: { canceled: false, filePaths: ['/home/u/Cairn'] } as {
      canceled: boolean;
      filePaths: string[];
    },
  };
  return { listeners, state };
});

vi.mock('electron', () => {
  const on = (name: string, fn: (...a: unknown[]) => void) => (
    (h.listeners[name] ??= []).push(fn),
    undefined
  );
  class Tray {
    setImage = vi.fn((img: { path: string }) => h.state.images.push(img.path));
    setToolTip = vi.fn();
    setContextMenu = vi.fn();
    on = vi.fn();
  }
  class BrowserWindow {
    webContents = { send: vi.fn(), isDestroyed: () => false };
    constructor(opts: { webPreferences: Record<string, unknown> }) {
      h.state.windows.push({ url: '', prefs: opts.webPreferences, win: this });
    }
    loadURL = vi.fn(async (url: string) => void (h.state.windows.at(-1)!.url = url));
    once = vi.fn();
    on = vi.fn();
    isDestroyed = () => false;
    isMinimized = () => false;
    show = vi.fn();
    focus = vi.fn();
    restore = vi.fn();
  }
  return {
    app: {
      requestSingleInstanceLock: vi.fn(() => h.state.lock),
      quit: vi.fn(),
      on: vi.fn(on),
      whenReady: vi.fn(async () => {}),
      getPath: vi.fn(() => '/tmp/cairn-user'),
      setLoginItemSettings: vi.fn(),
    },
    BrowserWindow,
    Tray,
    Menu: { buildFromTemplate: vi.fn((t: { label?: string }[]) => (h.state.menus.push(t), t)) },
    nativeImage: { createFromPath: (p: string) => ({ path: p, setTemplateImage: vi.fn() }) },
    Notification: Object.assign(
      vi.fn(function (this: { show: Mock }) {
        this.show = vi.fn();
      }),
      { isSupported: () => true },
    ),
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    shell: { openPath: vi.fn(async () => '') },
    dialog: { showOpenDialog: vi.fn(async () => h.state.dialogResult) },
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(s),
      decryptString: (b: Buffer) => b.toString(),
    },
    ipcMain: {
      handle: vi.fn((_channel: string, fn: typeof h.state.ipcHandler) => void (h.state.ipcHandler = fn)),
      removeHandler: vi.fn(),
    },
  };
});

// Never touch the real login items / ~/.config/autostart from a test.
vi.mock('./login-item.ts', () => ({ HIDDEN_FLAG: '--hidden', setStartAtLogin: vi.fn() }));

import { app, dialog, ipcMain, Notification, protocol, safeStorage } from 'electron';
import { setStartAtLogin } from './login-item.ts';
import { runShell } from './main.ts';
import type { OpenControlOptions, ShellControl } from './control-port.ts';
import { fakeControl, status } from './test-fakes.ts';

const fire = (name: string, ...args: unknown[]) => {
  for (const fn of h.listeners[name] ?? []) fn(...args);
};
const argv = process.argv;
afterEach(() => {
  process.argv = argv;
});

const opts = (control: ShellControl = fakeControl()) => ({
  openControl: vi.fn(async (_o: OpenControlOptions) => control),
  rendererDir: '/r',
  preloadPath: '/p/preload.cjs',
  iconsDir: '/icons',
  home: '/tmp/h',
});

beforeEach(() => {
  // Handlers registered by an earlier test's runShell must not fire in this one.
  for (const k of Object.keys(h.listeners)) delete h.listeners[k];
  h.state.ipcHandler = null;
  h.state.lock = true;
  h.state.menus.length = 0;
  h.state.images.length = 0;
  h.state.windows.length = 0;
  vi.clearAllMocks();
});

describe('runShell', () => {
  it('quits when another instance holds the lock, before opening the engine', async () => {
    h.state.lock = false;
    const o = opts();
    expect(await runShell(o)).toBeNull();
    expect(app.quit).toHaveBeenCalled();
    expect(o.openControl).not.toHaveBeenCalled();
  });

  it('opens the engine, registers validated IPC, serves the renderer and shows a secure window', async () => {
    const o = opts();
    const shell = await runShell(o);
    expect(shell).not.toBeNull();
    expect(o.openControl).toHaveBeenCalledWith({
      home: '/tmp/h',
      uiDir: '/r',
      onEngineGone: expect.any(Function),
      // The in-process engine keeps the device token with Electron's safeStorage.
      safeStorage,
    });
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalled();
    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(ipcMain.handle).toHaveBeenCalledWith('cairn:call', expect.any(Function));
    const w = h.state.windows[0]!;
    expect(w.url).toBe('app://cairn/index.html');
    expect(w.prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      preload: '/p/preload.cjs',
    });
  });

  it('updates the tray menu and icon on each status event', async () => {
    const control = fakeControl();
    await runShell(opts(control));
    expect(h.state.images.at(-1)).toBe('/icons/tray-ok.png');
    control.emit({ type: 'status', status: status({ state: 'paused' }) });
    expect(h.state.images.at(-1)).toBe('/icons/tray-paused.png');
    expect(h.state.menus.at(-1)!.some((m) => m.id === 'resume')).toBe(true);
    control.emit({ type: 'status', status: status({ state: 'offline' }) });
    expect(h.state.images.at(-1)).toBe('/icons/tray-offline.png');
    expect(h.state.menus.at(-1)![0]!.label).toBe('Offline — changes are kept');
  });

  it('a second launch shows and focuses the existing window instead of making another', async () => {
    const shell = (await runShell(opts()))!;
    expect(h.state.windows).toHaveLength(1);
    const { win } = h.state.windows[0]!;
    win.show.mockClear();
    win.focus.mockClear();
    fire('second-instance');
    expect(h.state.windows).toHaveLength(1); // the same window…
    expect(win.show).toHaveBeenCalledTimes(1); // …brought up
    expect(win.focus).toHaveBeenCalledTimes(1);
    shell.showWindow('preferences');
    expect(h.state.windows).toHaveLength(1);
    expect(win.focus).toHaveBeenCalledTimes(2);
  });

  it('a second launch while the engine is still opening is remembered, not lost', async () => {
    process.argv = [...argv, '--hidden']; // started at login: no window of its own
    const o = opts();
    const control = fakeControl();
    o.openControl.mockImplementation(async () => {
      fire('second-instance'); // the user launches Cairn again during start-up
      return control;
    });
    await runShell(o);
    expect(h.state.windows).toHaveLength(1);
  });

  it('started at login with nothing asked: stays in the tray', async () => {
    process.argv = [...argv, '--hidden'];
    await runShell(opts());
    expect(h.state.windows).toHaveLength(0);
  });

  it('applies the stored start-at-login setting at start', async () => {
    const control = fakeControl();
    (control.api as unknown as Record<string, unknown>).getSettings = async () => ({
      upload_limit_bps: 0,
      download_limit_bps: 0,
      start_at_login: true,
      ignore_rules: '',
    });
    await runShell(opts(control));
    await vi.waitFor(() => expect(setStartAtLogin).toHaveBeenCalledWith(app, true), { timeout: 10_000 });
  });

  it('quit stops the engine first, then quits the app', async () => {
    const control = fakeControl();
    const shell = (await runShell(opts(control)))!;
    await shell.quit();
    expect(control.stop).toHaveBeenCalledTimes(1);
    expect(app.quit).toHaveBeenCalledTimes(1);
    expect((control.stop as Mock).mock.invocationCallOrder[0]!).toBeLessThan(
      (app.quit as Mock).mock.invocationCallOrder[0]!,
    );
  });

  it('quit does not hang on an engine that never stops', async () => {
    const control = fakeControl();
    (control.stop as Mock).mockImplementation(() => new Promise(() => {}));
    const shell = (await runShell({ ...opts(control), stopTimeoutMs: 20 }))!;
    await shell.quit();
    expect(app.quit).toHaveBeenCalledTimes(1);
  });

  it('the OS quit (before-quit) waits for the engine once, then lets the quit through', async () => {
    const control = fakeControl();
    await runShell(opts(control));
    const first = { preventDefault: vi.fn() };
    fire('before-quit', first);
    expect(first.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    const second = { preventDefault: vi.fn() };
    fire('before-quit', second); // app.quit() fires it again: now it must pass
    expect(second.preventDefault).not.toHaveBeenCalled();
    expect(control.stop).toHaveBeenCalledTimes(1);
  });

  it('saved settings stay saved when the OS refuses start at login: ok reply plus a warning', async () => {
    await runShell(opts());
    vi.mocked(setStartAtLogin).mockImplementationOnce(() => {
      throw new Error('EACCES: ~/.config/autostart');
    });
    const reply = await h.state.ipcHandler!(
      { senderFrame: { url: 'app://cairn/index.html' } },
      'setSettings',
      { start_at_login: true },
    );
    expect(reply).toMatchObject({ ok: true });
    expect(Notification).toHaveBeenCalledWith(
      expect.objectContaining({ title: 'Start at login could not be changed' }),
    );
  });

  it('pickFolder is answered by the OS folder dialog on the window, after validation; never by the engine', async () => {
    const control = fakeControl();
    await runShell(opts(control));
    const call = (input: unknown) =>
      h.state.ipcHandler!({ senderFrame: { url: 'app://cairn/index.html' } }, 'pickFolder', input);
    expect(await call({ title: 'Choose your Cairn folder', default_path: '/home/u' })).toEqual({
      ok: true,
      result: { path: '/home/u/Cairn' },
    });
    const { win } = h.state.windows[0]!;
    expect(dialog.showOpenDialog).toHaveBeenCalledWith(
      win,
      expect.objectContaining({
        title: 'Choose your Cairn folder',
        defaultPath: '/home/u',
        properties: expect.arrayContaining(['openDirectory', 'createDirectory']),
      }),
    );
    h.state.dialogResult = { canceled: true, filePaths: [] };
    expect(await call({})).toEqual({ ok: true, result: { path: null } });
    h.state.dialogResult = { canceled: false, filePaths: ['/home/u/Cairn'] };
    vi.mocked(dialog.showOpenDialog).mockClear();
    // Malformed input, or a page that is not the app: refused, and no dialog opens.
    expect(await call({ title: 42 })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(
      await h.state.ipcHandler!({ senderFrame: { url: 'https://evil.example/' } }, 'pickFolder', {}),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
    expect(control.calls).not.toHaveBeenCalledWith('pickFolder', expect.anything());
  });

  it('when the attached `cairn start` engine is gone, it opens the engine itself and follows it', async () => {
    const attached = fakeControl();
    const own = fakeControl(status({ state: 'syncing' }));
    const o = opts(attached);
    o.openControl.mockResolvedValueOnce(attached).mockResolvedValueOnce(own);
    const shell = (await runShell(o))!;
    const onEngineGone = o.openControl.mock.calls[0]![0].onEngineGone!;
    onEngineGone();
    await vi.waitFor(() => expect(o.openControl).toHaveBeenCalledTimes(2), { timeout: 10_000 });
    await vi.waitFor(async () => expect((await shell.control.api.status({})).state).toBe('syncing'), { timeout: 10_000 });
    own.emit({ type: 'status', status: status({ state: 'paused' }) });
    expect(h.state.images.at(-1)).toBe('/icons/tray-paused.png');
    attached.emit({ type: 'status', status: status({ state: 'offline' }) }); // the old one is no longer heard
    expect(h.state.images.at(-1)).toBe('/icons/tray-paused.png');
    await shell.quit();
    expect(own.stop).toHaveBeenCalled();
  });
});
