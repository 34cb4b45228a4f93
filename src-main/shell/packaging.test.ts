import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// electron-builder cannot run here (no Electron binary), but its own schema check can: a
// config typo fails this test instead of a release build on another machine.
const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

describe('electron-builder configuration', () => {
  const yaml = require('js-yaml') as { load(s: string): Record<string, unknown> };
  const cfg = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('passes electron-builder’s schema validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(c: unknown, l: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (on: boolean) => unknown };
    await expect(validateConfiguration(cfg, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('targets AppImage + deb, NSIS and dmg from the app/ folder', () => {
    expect(cfg.directories.app).toBe('app');
    expect(cfg.linux.target).toEqual(['AppImage', 'deb']);
    expect(cfg.win.target).toEqual(['nsis']);
    expect(cfg.mac.target).toEqual(['dmg']);
    expect(cfg.npmRebuild).toBe(true);
  });

  it('the .deb keeps Electron’s default dependencies and only recommends the tray indicator', () => {
    // What electron-builder puts in Depends: our list if we set one, else its default list.
    const { default: FpmTarget } = require('app-builder-lib/out/targets/FpmTarget.js') as {
      default: { prototype: { getDefaultDepends(t: string): string[] } };
    };
    const defaults = FpmTarget.prototype.getDefaultDepends.call(null, 'deb');
    const depends: string[] = cfg.deb?.depends ?? defaults;
    for (const lib of [
      'libgtk-3-0',
      'libnss3',
      'libxss1',
      'libxtst6',
      'xdg-utils',
      'libatspi2.0-0',
      'libuuid1',
      'libsecret-1-0',
    ])
      expect(depends).toContain(lib);
    // Debian 12 has no libappindicator3-1: as a hard dependency it makes the package uninstallable.
    expect(depends.some((d) => d.includes('appindicator'))).toBe(false);
    expect(cfg.deb.recommends).toEqual(['libayatana-appindicator3-1 | libappindicator3-1']);
  });

  it('the runtime manifest points at the bundle and lists the native modules', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'app/package.json'), 'utf8')) as {
      main: string;
      dependencies: Record<string, string>;
    };
    expect(pkg.main).toBe('dist/main.mjs');
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['better-sqlite3', 'native-chunker']);
    const bundler = readFileSync(path.join(root, 'src-main/shell/bundle.ts'), 'utf8');
    expect(bundler).toContain("main: path.join(root, 'src-main/shell/entry.ts')");
  });
});
