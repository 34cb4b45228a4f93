// Builds the renderer (src-renderer) with Vite into src-renderer/dist/. Run by
// `npm run build:ui` and by scripts/setup.sh. The engine's browser mode and the Electron
// shell both serve that folder.
import { build } from 'vite';
import { fileURLToPath } from 'node:url';

const configFile = fileURLToPath(new URL('../src-renderer/vite.config.ts', import.meta.url));
await build({ configFile, logLevel: process.env.CAIRN_UI_BUILD_VERBOSE ? 'info' : 'warn' });
process.stdout.write('build-ui: src-renderer/dist ready\n');
