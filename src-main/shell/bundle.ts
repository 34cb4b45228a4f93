/**
 * Bundles the desktop app into electron-builder's application folder `app/`:
 *   app/dist/main.mjs     Electron main (shell + control + engine, ESM, node22 target)
 *   app/dist/worker.mjs   native-chunker's worker-thread script
 *   app/dist/preload.cjs  the preload (CommonJS: sandboxed preloads cannot be ES modules)
 *   app/dist/renderer/    the built UI (src-renderer/dist, built first when missing)
 * Native modules stay external and come from app/node_modules, where electron-builder
 * installs app/package.json's dependencies and rebuilds them against Electron's ABI:
 * better-sqlite3, and native-chunker's addon (its JS is bundled; the addon path is
 * rewritten to app/node_modules/native-chunker/build/Release/).
 *
 * Run: `node src-main/shell/bundle.ts` (part of `npm run dist`).
 */
import { cp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'vite';

const root = path.resolve(import.meta.dirname, '../..');
const out = path.join(root, 'app/dist');

/** Native or optional modules never bundled. */
const EXTERNAL = ['electron', 'better-sqlite3', 'bufferutil', 'utf-8-validate', 'fsevents'];

/** Points native-chunker's addon and worker at their places inside the packaged app. */
function packagedPaths(): Plugin {
  return {
    name: 'cairn-packaged-paths',
    // Before the TypeScript transform, so the source text is as written.
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes(`${path.sep}native-chunker${path.sep}src${path.sep}`)) return null;
      const next = code
        .replace(
          /(['"])\.\.\/build\/Release\/native_chunker\.node\1/,
          "'../node_modules/native-chunker/build/Release/native_chunker.node'",
        )
        .replace(
          /new URL\((['"])\.\/worker\.ts\1, import\.meta\.url\)/,
          "new URL('./worker.mjs', import.meta.url)",
        );
      // Only string literals change, on their own lines: the sourcemap needs no update.
      return { code: next, map: null };
    },
  };
}

async function bundle(entries: Record<string, string>, format: 'es' | 'cjs', ext: string): Promise<void> {
  await build({
    configFile: false,
    logLevel: 'warn',
    root,
    plugins: [packagedPaths()],
    ssr: { noExternal: true, external: EXTERNAL, target: 'node' },
    build: {
      ssr: true,
      target: 'node22',
      outDir: out,
      emptyOutDir: false,
      minify: false,
      sourcemap: true,
      rolldownOptions: {
        input: entries,
        external: (id: string) => EXTERNAL.includes(id) || id.startsWith('node:'),
        output: { format, entryFileNames: `[name].${ext}`, codeSplitting: false },
      },
    },
  });
}

await rm(out, { recursive: true, force: true });
await bundle({ main: path.join(root, 'src-main/shell/entry.ts') }, 'es', 'mjs');
await bundle({ worker: path.join(root, 'native-chunker/src/worker.ts') }, 'es', 'mjs');
await bundle({ preload: path.join(root, 'src-main/shell/preload.ts') }, 'cjs', 'cjs');
if (!existsSync(path.join(root, 'src-renderer/dist/index.html')))
  await import(path.join(root, 'scripts/build-ui.ts'));
await cp(path.join(root, 'src-renderer/dist'), path.join(out, 'renderer'), { recursive: true });
process.stdout.write(`bundle: ${path.relative(root, out)} ready\n`);
