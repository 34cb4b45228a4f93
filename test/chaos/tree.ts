/**
 * Tree snapshots and the harness invariants: convergence (every device equals the server),
 * no loss (every content ever written survives somewhere), no torn files.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from './workload.ts';

/** A tree as `relative path → "dir"` or the file's SHA-256 (hex). Paths use `/`. */
export type TreeSnapshot = Map<string, string>;

/** Engine-internal names never compared (temp files, state). */
const INTERNAL = /(^|\/)\.cairn-tmp-|(^|\/)\.cairn(\/|$)/u;

/** Reads a folder recursively into a {@link TreeSnapshot}, skipping `exclude` prefixes. */
export async function snapshotFolder(root: string, exclude: readonly string[] = []): Promise<TreeSnapshot> {
  const out: TreeSnapshot = new Map();
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (INTERNAL.test(p) || exclude.some((x) => p === x || p.startsWith(`${x}/`))) continue;
      if (e.isDirectory()) {
        out.set(p, 'dir');
        await walk(p);
      } else if (e.isFile()) out.set(p, sha256(await fs.readFile(path.join(root, p))));
    }
  };
  await walk('');
  return out;
}

/** Differences between two snapshots, as human-readable lines (empty = equal). */
export function diffTrees(a: TreeSnapshot, b: TreeSnapshot, names = ['a', 'b']): string[] {
  const out: string[] = [];
  for (const [p, h] of a) {
    const o = b.get(p);
    if (o === undefined) out.push(`only in ${names[0]}: ${p}`);
    else if (o !== h) out.push(`differs: ${p} (${names[0]} ${h.slice(0, 8)} vs ${names[1]} ${o.slice(0, 8)})`);
  }
  for (const p of b.keys()) if (!a.has(p)) out.push(`only in ${names[1]}: ${p}`);
  return out;
}

/**
 * No-loss check: every content hash in `written` must appear among `surviving` (final files,
 * conflicted copies, and the server's revision history). Returns the lost hashes.
 */
export function lostContents(written: Iterable<string>, surviving: Set<string>): string[] {
  return [...new Set(written)].filter((h) => !surviving.has(h));
}
