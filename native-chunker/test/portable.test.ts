/**
 * `native-chunker/portable` is browser-safe: nothing it loads imports a Node built-in or uses
 * Buffer / process (checked on the source of its whole import graph), and it reproduces the
 * protocol-v1 vectors with the TypeScript cutter and @noble/hashes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashBlockPortable } from '../src/hash.ts';
import * as portable from '../src/portable.ts';
import type { ChunkParams } from '../src/params.ts';
import { buildStream, type StreamSpec } from './streams.ts';

/** Every module `entry` loads at run time (type-only imports are erased), with its source. */
function importGraph(entry: URL): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (u: URL): void => {
    if (seen.has(u.href)) return;
    const src = readFileSync(u, 'utf8');
    seen.set(u.href, src);
    for (const m of src.matchAll(
      /^(?:import|export)\s+(?!type\b)[^'";]*?from\s+'([^']+)'|^import\s+'([^']+)'/gmu,
    )) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) visit(new URL(spec, u));
      else seen.set(spec, '');
    }
  };
  visit(entry);
  return seen;
}

/** `src` without comments (rough, enough for this code base: no comment markers inside strings). */
const code = (src: string): string => src.replace(/\/\*[\s\S]*?\*\//gu, '').replace(/\/\/.*$/gmu, '');

describe('native-chunker/portable', () => {
  const graph = importGraph(new URL('../src/portable.ts', import.meta.url));

  it('loads no Node built-in, no addon, only @noble/hashes from outside', () => {
    const external = [...graph.keys()].filter((k) => !k.startsWith('file:'));
    expect(external).toEqual(['@noble/hashes/sha2.js']);
    const files = [...graph.keys()]
      .filter((k) => k.startsWith('file:'))
      .map((k) => k.replace(/^.*\/src\//u, ''));
    expect(files).not.toContain('native.ts');
    expect(files).not.toContain('pool.ts');
    expect(files).not.toContain('file.ts');
  });

  it('uses neither Buffer nor process (except a guarded globalThis.process lookup)', () => {
    for (const [file, src] of graph) {
      if (!file.startsWith('file:')) continue;
      expect(code(src), file).not.toMatch(/\bBuffer\b/u);
      expect(code(src), file).not.toMatch(/(?<!globalThis\.)\bprocess\b/u);
    }
  });

  it('the import-graph check sees what it must (a check that cannot fail proves nothing)', () => {
    const main = importGraph(new URL('../src/index.ts', import.meta.url));
    expect([...main.keys()]).toContain('node:worker_threads');
  });

  const doc = JSON.parse(readFileSync(new URL('./vectors-v1.json', import.meta.url), 'utf8')) as {
    vectors: Array<{
      name: string;
      stream: StreamSpec;
      params: ChunkParams;
      contentHash: string;
      chunks: Array<[number, number, string]>;
    }>;
  };
  // The 24 MiB vector would take seconds with @noble/hashes; the others cover every rule.
  for (const v of doc.vectors.filter((x) => x.name !== 'random-24MiB-v1')) {
    it(`${v.name}: same blocks and content hash, @noble/hashes and Uint8Array only`, () => {
      const data = buildStream(v.stream);
      const c = portable.createChunker(v.params);
      const cuts = [...c.push(data), ...c.finish()];
      const got = cuts.map((x) => [
        x.offset,
        x.length,
        hashBlockPortable(data.subarray(x.offset, x.offset + x.length)),
      ]);
      expect(got).toEqual(v.chunks);
      expect(
        portable.contentHash(
          v.chunks.map((x) => x[2]),
          hashBlockPortable,
        ),
      ).toBe(v.contentHash);
      expect(portable.chunkBuffer(data, v.params).map((x) => [x.offset, x.length, x.hash])).toEqual(v.chunks);
    });
  }
});
