/**
 * Start at login, the way each OS expects it: a login item on macOS and Windows
 * (`app.setLoginItemSettings`), an XDG autostart `.desktop` file on Linux (where Electron
 * has no login-item API). The app starts hidden (`--hidden`): only the tray icon appears.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from 'electron';

/** Flag passed when started at login: stay in the tray. */
export const HIDDEN_FLAG = '--hidden';

/** Where the Linux autostart entry lives (`$XDG_CONFIG_HOME/autostart/cairn.desktop`). */
export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'autostart', 'cairn.desktop');
}

/** The Linux autostart entry for an executable. */
export function desktopEntry(exe: string): string {
  const quoted = /[\s"]/.test(exe) ? `"${exe.replace(/"/g, '\\"')}"` : exe;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Cairn',
    'Comment=Keep a folder in sync',
    `Exec=${quoted} ${HIDDEN_FLAG}`,
    'X-GNOME-Autostart-enabled=true',
    'Terminal=false',
    '',
  ].join('\n');
}

/** Turns start-at-login on or off for this OS. */
export function setStartAtLogin(
  app: Pick<App, 'setLoginItemSettings'>,
  enabled: boolean,
  opts: { platform?: NodeJS.Platform; exe?: string; env?: NodeJS.ProcessEnv } = {},
): void {
  const platform = opts.platform ?? process.platform;
  if (platform === 'darwin' || platform === 'win32') {
    app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_FLAG] });
    return;
  }
  // An AppImage runs from a temporary mount: autostart must point at the .AppImage file itself.
  const env = opts.env ?? process.env;
  const exe = opts.exe ?? env.APPIMAGE ?? process.execPath;
  const file = autostartFile(env);
  if (enabled) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, desktopEntry(exe));
  } else {
    rmSync(file, { force: true });
  }
}
