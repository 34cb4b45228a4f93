/**
 * Electron entry point (bundled to app/dist/main.mjs). Paths are relative to the bundle:
 * app/dist/{main.mjs, preload.cjs, renderer/}, app/icons/.
 */
import path from 'node:path';
import { runShell } from './main.ts';
import { openEngineControl } from './wiring.ts';

const here = import.meta.dirname;
await runShell({
  openControl: openEngineControl,
  rendererDir: path.join(here, 'renderer'),
  preloadPath: path.join(here, 'preload.cjs'),
  iconsDir: path.join(here, '..', 'icons'),
});
