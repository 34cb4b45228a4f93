/**
 * Electron entry point (bundled to app/dist/main.mjs). Paths are relative to the bundle:
 * app/dist/{main.mjs, preload.cjs, renderer/}, app/icons/. The device home is the CLI's:
 * `CAIRN_HOME`, else the platform config folder — one device, whichever way it is driven.
 */
import path from 'node:path';
import { app, dialog } from 'electron';
import { runShell } from './main.ts';
import { startFailure } from './start-failure.ts';
import { defaultHome, openEngineControl } from './wiring.ts';

const here = import.meta.dirname;
try {
  await runShell({
    openControl: openEngineControl,
    home: defaultHome(),
    rendererDir: path.join(here, 'renderer'),
    preloadPath: path.join(here, 'preload.cjs'),
    iconsDir: path.join(here, '..', 'icons'),
  });
} catch (err) {
  // A tray app that fails to start has no window and no tray icon: without this the user
  // would see nothing at all. Say what failed (with its stable code) and exit non-zero.
  const { title, content } = startFailure(err, defaultHome());
  console.error(`cairn: ${content}`);
  await app.whenReady().catch(() => undefined);
  dialog.showErrorBox(title, content);
  app.exit(1);
}
