/**
 * The Electron main process: single instance, tray, the window, and the control service
 * running in-process behind the injected {@link OpenControl}. Thin glue only — everything
 * with logic (menu, IPC validation, security, notifications, login item, token store) lives
 * in its own module with its own tests.
 */
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
} from 'electron';
import type { ControlInput, ControlOutput, Settings, Status } from '../../src-shared/control.ts';
import { switchableControl, type OpenControl, type ShellControl } from './control-port.ts';
import { forwardEvents, registerControlIpc } from './ipc.ts';
import { HIDDEN_FLAG, setStartAtLogin } from './login-item.ts';
import { createStatusNotifier } from './notifications.ts';
import {
  APP_URL,
  denyPermissions,
  hardenWebContents,
  isAppUrl,
  registerAppScheme,
  secureWebPreferences,
  serveRenderer,
} from './security.ts';
import { trayIcon, trayMenuTemplate, trayTooltip, type TrayActions } from './tray.ts';

/** Where the shell finds its parts (paths inside the packaged app). */
export interface ShellOptions {
  openControl: OpenControl;
  /** Built renderer (src-renderer/dist copied to app/dist/renderer). */
  rendererDir: string;
  /** Bundled preload (CommonJS). */
  preloadPath: string;
  /** Folder with `tray-<state>.png` icons. */
  iconsDir: string;
  /** Device home (state DB, credentials); the same folder the `cairn` CLI uses. */
  home: string;
  /** How long Quit waits for the engine to stop before quitting anyway. Default 10 s. */
  stopTimeoutMs?: number;
}

/** Handle of a running shell (tests use it; the real app just runs). */
export interface RunningShell {
  control: ShellControl;
  tray: Tray;
  showWindow(screen?: string): BrowserWindow;
  quit(): Promise<void>;
}

/**
 * Starts the desktop app. Resolves with null when another instance already runs (that one
 * is asked to show its window and this one quits).
 */
export async function runShell(opts: ShellOptions): Promise<RunningShell | null> {
  registerAppScheme(protocol);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  let win: BrowserWindow | null = null;
  let status: Status | null = null;
  let quitting = false;
  // Until the control service is open there is no window to show: a second launch (or a Dock
  // click) in that time is remembered and served once the shell is up, not lost.
  let ready = false;
  let windowWanted = false;
  const showWhenReady = () => {
    if (ready) showWindow();
    else windowWanted = true;
  };
  app.on('second-instance', showWhenReady);
  app.on('activate', showWhenReady);

  // A tray app keeps running with no window open; quitting is explicit (menu or OS).
  app.on('window-all-closed', () => undefined);
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));
  await app.whenReady();
  serveRenderer(protocol, opts.rendererDir);
  denyPermissions(session.defaultSession);

  // The service behind IPC, tray and windows. When it is attached to a `cairn start` engine and
  // that engine goes away, the app opens the service again (now running the engine itself)
  // and swaps it in underneath, so the tray keeps following the device.
  const open = () =>
    opts.openControl({ home: opts.home, uiDir: opts.rendererDir, onEngineGone: takeOver, safeStorage });
  const control = switchableControl(await open());
  function takeOver(): void {
    if (quitting) return;
    void open().then(
      (next) => {
        if (quitting) void next.stop();
        else control.switchTo(next);
      },
      (err: unknown) => console.error('cairn: could not take over the engine:', err),
    );
  }

  const showWindow = (screen?: string): BrowserWindow => {
    const url = `${APP_URL}index.html${screen ? `#screen=${screen}` : ''}`;
    if (win && !win.isDestroyed()) {
      if (screen) void win.loadURL(url);
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      return win;
    }
    const w = new BrowserWindow({
      width: 980,
      height: 720,
      minWidth: 560,
      minHeight: 480,
      show: false,
      title: 'Cairn',
      autoHideMenuBar: true,
      webPreferences: secureWebPreferences(opts.preloadPath),
    });
    const unsubscribe = forwardEvents(control, w.webContents);
    w.once('ready-to-show', () => w.show());
    w.on('closed', () => {
      unsubscribe();
      if (win === w) win = null;
    });
    void w.loadURL(url);
    win = w;
    return w;
  };

  const notify = (title: string, body: string) => {
    if (Notification.isSupported()) new Notification({ title, body }).show();
  };
  const notifier = createStatusNotifier({ show: notify });

  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
  const quit = async (): Promise<void> => {
    if (quitting) return;
    quitting = true;
    notifier.dispose();
    // Bounded: before-quit holds the quit until this settles, and an engine stuck in a long
    // transfer must not make the app impossible to quit.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), stopTimeoutMs)),
    );
    const outcome = await Promise.race([
      control.stop().then(
        () => 'stopped' as const,
        () => 'failed' as const,
      ),
      timedOut,
    ]);
    clearTimeout(timer);
    if (outcome !== 'stopped')
      console.warn(`cairn: the engine did not stop cleanly (${outcome}); quitting anyway`);
    app.quit();
  };

  // The OS folder dialog, attached to the window when there is one (first run's "Choose…").
  const pickFolder = async (input: ControlInput<'pickFolder'>): Promise<ControlOutput<'pickFolder'>> => {
    const options: Electron.OpenDialogOptions = {
      title: input.title ?? 'Choose a folder',
      properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
      ...(input.default_path ? { defaultPath: input.default_path } : {}),
    };
    const r =
      win && !win.isDestroyed()
        ? await dialog.showOpenDialog(win, options)
        : await dialog.showOpenDialog(options);
    return { path: r.canceled ? null : (r.filePaths[0] ?? null) };
  };

  registerControlIpc(ipcMain, control, {
    isTrustedSender: isAppUrl,
    shellMethods: { pickFolder },
    afterCall: (method, result) => {
      if (method === 'setSettings') setStartAtLogin(app, (result as Settings).start_at_login);
    },
    // The settings were saved; only the OS login item failed: say so, without failing the call.
    onAfterCallError: (method, err) => {
      const message = err instanceof Error ? err.message : String(err);
      console.warn(`cairn: after ${method}: ${message}`);
      notify(
        'Start at login could not be changed',
        `Your preferences were saved, but the system refused: ${message}`,
      );
    },
  });

  // Colour badges carry the state, so these are not macOS template images (which are monochrome).
  // nativeImage picks tray-<name>@2x.png on HiDPI screens by itself.
  const icon = (name: string) => nativeImage.createFromPath(path.join(opts.iconsDir, `tray-${name}.png`));
  const actions: TrayActions = {
    openFolder: () => void (status?.folder ? shell.openPath(status.folder) : undefined),
    openWindow: () => void showWindow(),
    pause: () => void control.api.pause({}).catch(() => undefined),
    resume: () => void control.api.resume({}).catch(() => undefined),
    openPreferences: () => void showWindow('preferences'),
    quit: () => void quit(),
  };
  const tray = new Tray(icon('setup'));
  const refreshTray = () => {
    tray.setImage(icon(trayIcon(status)));
    tray.setToolTip(trayTooltip(status));
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(status, actions)));
  };
  // Windows and Linux: a click opens the window; macOS: a click shows the menu (set above).
  if (process.platform !== 'darwin') tray.on('click', () => void showWindow());

  control.subscribe((event) => {
    if (event.type !== 'status') return;
    status = event.status;
    notifier.onStatus(event.status);
    refreshTray();
  });
  // The OS login item follows the stored setting (it may have been changed from another client).
  void control.api.getSettings({}).then(
    (settings) => {
      try {
        if (typeof settings.start_at_login === 'boolean') setStartAtLogin(app, settings.start_at_login);
      } catch (err) {
        console.warn('cairn: could not apply start at login:', err);
      }
    },
    () => undefined,
  );
  status = await control.api.status({});
  notifier.onStatus(status);
  refreshTray();

  app.on('before-quit', (e) => {
    if (quitting) return;
    e.preventDefault();
    void quit();
  });

  ready = true;
  // First run needs the window; a start at login stays in the tray unless a second launch
  // asked for the window meanwhile.
  if (status.state === 'setup' || !process.argv.includes(HIDDEN_FLAG) || windowWanted) showWindow();
  return { control, tray, showWindow, quit };
}
