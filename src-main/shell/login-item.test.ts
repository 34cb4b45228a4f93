import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { desktopEntry, setStartAtLogin } from './login-item.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

describe('start at login', () => {
  it('uses login items on macOS and Windows', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const app = { setLoginItemSettings: vi.fn() };
      setStartAtLogin(app, true, { platform });
      expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, args: ['--hidden'] });
    }
  });

  it('writes and removes an XDG autostart entry on Linux (pointing at the AppImage)', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-autostart-'));
    const env = { XDG_CONFIG_HOME: dir, APPIMAGE: '/home/a/Apps/Cairn 1.0.AppImage' };
    const app = { setLoginItemSettings: vi.fn() };
    setStartAtLogin(app, true, { platform: 'linux', env });
    const file = path.join(dir, 'autostart/cairn.desktop');
    expect(readFileSync(file, 'utf8')).toContain('Exec="/home/a/Apps/Cairn 1.0.AppImage" --hidden');
    setStartAtLogin(app, false, { platform: 'linux', env });
    expect(existsSync(file)).toBe(false);
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
    expect(desktopEntry('/usr/bin/cairn')).toContain('Exec=/usr/bin/cairn --hidden');
  });
});
