import { describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applyOp, contentFor, generateWorkload, mulberry32 } from './workload.ts';
import { diffTrees, lostContents, snapshotFolder } from './tree.ts';

describe('chaos workload', () => {
  it('is reproducible from its seed and differs across seeds', () => {
    expect(generateWorkload(42, 3, 200)).toEqual(generateWorkload(42, 3, 200));
    expect(generateWorkload(42, 3, 200)).not.toEqual(generateWorkload(43, 3, 200));
    const r = mulberry32(1);
    const xs = Array.from({ length: 1000 }, r);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
  });

  it('covers every operation kind and stays on relative paths', () => {
    const ops = generateWorkload(7, 2, 2000);
    expect(new Set(ops.map((o) => o.kind))).toEqual(new Set(['write', 'append', 'truncate', 'delete', 'rename', 'mkdir', 'rmdir']));
    for (const o of ops) for (const p of o.kind === 'rename' ? [o.from, o.to] : [o.path]) expect(p.startsWith('/')).toBe(false);
  });

  it('applies to a real folder, and the snapshot reflects what was written', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-wl-'));
    try {
      const written: string[] = [];
      for (const op of generateWorkload(11, 1, 300)) {
        const h = await applyOp(root, op);
        if (h) written.push(h);
      }
      const snap = await snapshotFolder(root);
      expect(snap.size).toBeGreaterThan(0);
      const copy = new Map(snap);
      expect(diffTrees(snap, copy)).toEqual([]);
      const [first] = [...copy.keys()];
      copy.delete(first!);
      expect(diffTrees(snap, copy)).toHaveLength(1);
      // every final file's content was produced by some op
      const fileHashes = [...snap.values()].filter((v) => v !== 'dir');
      expect(lostContents(fileHashes, new Set(written))).toEqual([]);
      expect(contentFor(5, 10).equals(contentFor(5, 10))).toBe(true);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
