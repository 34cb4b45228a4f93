/**
 * The chunker's worker in the packaged desktop app. The parts live in three places, so this
 * checks their contract on the source text: src-main/shell/bundle.ts rewrites pool.ts's worker
 * address to `./worker.mjs` next to the bundled main (inside app.asar), electron-builder.yml
 * unpacks dist/worker.mjs, and the pool resolves the address into app.asar.unpacked (worker
 * threads cannot load from an archive: electron/electron#23078).
 */
import { readFileSync } from 'node:fs';
import { asarUnpackedUrl } from 'native-chunker/internal';
import { describe, expect, it } from 'vitest';

const read = (p: string): string => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

describe('chunker worker in the packaged app', () => {
  const bundle = read('src-main/shell/bundle.ts');
  const pool = read('native-chunker/src/pool.ts');

  it('bundle.ts rewrites exactly the worker address pool.ts uses, to dist/worker.mjs', () => {
    // The pattern and replacement as written in bundle.ts's packagedPaths plugin.
    const m = /^\s*\/(new URL\\\(.*worker\\\.ts.*)\/,\s*\n\s*"([^"]+)",?\s*$/mu.exec(bundle);
    expect(m, 'worker rewrite in bundle.ts').not.toBeNull();
    const pattern = new RegExp(m![1]!, 'gu');
    expect(pool.match(pattern)).toHaveLength(1);
    expect(pool.replace(pattern, m![2]!)).toContain("new URL('./worker.mjs', import.meta.url)");
    // …and the worker entry is bundled under that name.
    expect(bundle).toMatch(
      /bundle\(\{ worker: path\.join\(root, 'native-chunker\/src\/worker\.ts'\) \}, 'es', 'mjs'\)/u,
    );
  });

  it('electron-builder unpacks dist/worker.mjs, where the pool looks for it', () => {
    const yml = read('electron-builder.yml');
    expect(yml).toMatch(/^asar: true$/mu);
    expect(yml).toMatch(/^asarUnpack:\n(?: {2}- .*\n)*? {2}- 'dist\/worker\.mjs'$/mu);
    for (const resources of ['file:///opt/Cairn/resources/', 'file:///C:/Program%20Files/Cairn/resources/']) {
      const main = new URL('app.asar/dist/main.mjs', resources);
      const worker = asarUnpackedUrl(new URL('./worker.mjs', main));
      expect(worker.href).toBe(`${resources}app.asar.unpacked/dist/worker.mjs`);
    }
  });
});
