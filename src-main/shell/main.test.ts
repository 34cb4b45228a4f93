import { beforeEach, describe, expect, it, vi } from 'vitest';

// A stand-in for the parts of Electron main.ts touches, recording what it is asked to do.
const h = vi.hoisted(() => {
  const listeners: Record<string, ((...a: unknown[]) => void)[]> = {};
  const state = {
    lock: true,
    menus: [] as { label?: string; id?: string; enabled?: boolean }[][],
    images: [] as string[],
    windows: [] as { url: string; prefs: Record<string, unknown> }[],
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
      h.state.windows.push({ url: '', prefs: opts.webPreferences });
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
      vi.fn(() => ({ show: vi.fn() })),
      { isSupported: () => true },
    ),
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    shell: { openPath: vi.fn(async () => '') },
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
  };
});

// Never touch the real login items / ~/.config/autostart from a test.
vi.mock('./login-item.ts', () => ({ HIDDEN_FLAG: '--hidden', setStartAtLogin: vi.fn() }));

import { app, ipcMain, protocol } from 'electron';
import { setStartAtLogin } from './login-item.ts';
import { runShell } from './main.ts';
import { fakeControl, status } from './test-fakes.ts';

const opts = (control = fakeControl()) => ({
  openControl: vi.fn(async () => control),
  rendererDir: '/r',
  preloadPath: '/p/preload.cjs',
  iconsDir: '/icons',
  home: '/tmp/h',
});

beforeEach(() => {
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
    expect(o.openControl).toHaveBeenCalledWith({ home: '/tmp/h', uiDir: '/r' });
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

  it('a second launch shows the window instead of starting again', async () => {
    const shell = (await runShell(opts()))!;
    const before = h.state.windows.length;
    for (const fn of h.listeners['second-instance'] ?? []) fn();
    expect(h.state.windows.length).toBe(before); // the same window, shown again
    shell.showWindow('preferences');
    expect(h.state.windows.length).toBe(before);
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
    await vi.waitFor(() => expect(setStartAtLogin).toHaveBeenCalledWith(app, true));
  });

  it('quit stops the engine first', async () => {
    const control = fakeControl();
    const shell = (await runShell(opts(control)))!;
    await shell.quit();
    expect(control.stop).toHaveBeenCalled();
    expect(app.quit).toHaveBeenCalled();
  });
});
