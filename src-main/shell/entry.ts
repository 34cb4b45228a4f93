/**
 * Electron entry point (bundled to app/dist/main.mjs). Paths are relative to the bundle:
 * app/dist/{main.mjs, preload.cjs, renderer/}, app/icons/. The device home is the CLI's:
 * `CAIRN_HOME`, else the platform config folder — one device, whichever way it is driven.
 */
import path from 'node:path';
import { runShell } from './main.ts';
import { defaultHome, openEngineControl } from './wiring.ts';

const here = import.meta.dirname;
await runShell({
  openControl: openEngineControl,
  home: defaultHome(),
  rendererDir: path.join(here, 'renderer'),
  preloadPath: path.join(here, 'preload.cjs'),
  iconsDir: path.join(here, '..', 'icons'),
});
