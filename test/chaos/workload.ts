/**
 * Seeded random workload for the chaos harness: file-system operations a user makes on one
 * device's sync folder. Generation is pure (seed → operation list) so a failing run can be
 * replayed and shrunk; {@link applyOp} performs one operation on a real folder.
 *
 * PRNG: mulberry32 (Tommy Ettinger, public domain) — tiny, fast, and good enough to pick
 * operations; it is not used for anything security-related.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A deterministic PRNG returning floats in [0, 1). */
export type Rng = () => number;

/** mulberry32 seeded with a 32-bit integer. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One user operation on device `device` (index into the harness's devices). Paths are relative. */
export type Op =
  | { kind: 'write'; device: number; path: string; size: number; fill: number }
  | { kind: 'append'; device: number; path: string; size: number; fill: number }
  | { kind: 'truncate'; device: number; path: string; size: number }
  | { kind: 'delete'; device: number; path: string }
  | { kind: 'rename'; device: number; from: string; to: string }
  | { kind: 'mkdir'; device: number; path: string }
  | { kind: 'rmdir'; device: number; path: string };

const NAMES = ['a', 'b', 'c', 'Doc', 'notes.txt', 'img.bin', 'x y', 'é.md'];
const DIRS = ['', 'd1', 'd1/sub', 'd2', 'Photos'];

/**
 * Generates `count` operations for `devices` devices from `seed`. Paths are drawn from a
 * small name space on purpose so that devices collide on the same paths (concurrent edits,
 * create/create, edit/delete, case-only renames).
 */
export function generateWorkload(seed: number, devices: number, count: number): Op[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const file = () => path.posix.join(pick(DIRS), pick(NAMES));
  const size = () => (rnd() < 0.85 ? Math.floor(rnd() * 4096) : Math.floor(rnd() * 3 * 1024 * 1024));
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) {
    const device = Math.floor(rnd() * devices);
    const r = rnd();
    if (r < 0.35) ops.push({ kind: 'write', device, path: file(), size: size(), fill: Math.floor(rnd() * 2 ** 31) });
    else if (r < 0.45) ops.push({ kind: 'append', device, path: file(), size: 1 + Math.floor(rnd() * 512), fill: Math.floor(rnd() * 2 ** 31) });
    else if (r < 0.5) ops.push({ kind: 'truncate', device, path: file(), size: Math.floor(rnd() * 64) });
    else if (r < 0.62) ops.push({ kind: 'delete', device, path: file() });
    else if (r < 0.72) {
      const from = file();
      const caseOnly = rnd() < 0.3;
      const to = caseOnly ? path.posix.join(path.posix.dirname(from), swapCase(path.posix.basename(from))) : file();
      ops.push({ kind: 'rename', device, from: from.replace(/^\.\//u, ''), to: to.replace(/^\.\//u, '') });
    } else if (r < 0.8) {
      const from = pick(DIRS.filter(Boolean));
      ops.push({ kind: 'rename', device, from, to: pick(['d3', 'd1/moved', 'Photos2', from.toUpperCase()]) });
    } else if (r < 0.9) ops.push({ kind: 'mkdir', device, path: path.posix.join(pick(DIRS), pick(['new', 'Empty'])) });
    else ops.push({ kind: 'rmdir', device, path: pick(DIRS.filter(Boolean)) });
  }
  return ops.map(normaliseOp);
}

function swapCase(s: string): string {
  return [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}

function normaliseOp(op: Op): Op {
  const clean = (p: string) => p.replace(/^\/+/u, '');
  if (op.kind === 'rename') return { ...op, from: clean(op.from), to: clean(op.to) };
  return { ...op, path: clean(op.path) } as Op;
}

/** Deterministic bytes for a write: `size` bytes derived from `fill` (so content is checkable). */
export function contentFor(fill: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = fill >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Applies one operation to the folder `root`. Operations that do not apply to the current
 * state (renaming a missing file, writing under a path whose parent is a file) are skipped:
 * returns the written bytes' SHA-256 when new content was produced, `null` otherwise.
 */
export async function applyOp(root: string, op: Op): Promise<string | null> {
  const abs = (p: string) => path.join(root, ...p.split('/'));
  try {
    switch (op.kind) {
      case 'write': {
        await fs.mkdir(path.dirname(abs(op.path)), { recursive: true });
        const data = contentFor(op.fill, op.size);
        await fs.writeFile(abs(op.path), data);
        return sha256(data);
      }
      case 'append': {
        await fs.appendFile(abs(op.path), contentFor(op.fill, op.size), { flag: 'r+' }).catch(async () => undefined);
        const data = await fs.readFile(abs(op.path)).catch(() => null);
        return data ? sha256(data) : null;
      }
      case 'truncate': {
        await fs.truncate(abs(op.path), op.size);
        return sha256(await fs.readFile(abs(op.path)));
      }
      case 'delete':
        await fs.rm(abs(op.path));
        return null;
      case 'rename':
        if (op.to === op.from || op.to.startsWith(`${op.from}/`)) return null;
        await fs.mkdir(path.dirname(abs(op.to)), { recursive: true });
        await fs.access(abs(op.to)).then(
          () => Promise.reject(new Error('exists')),
          () => undefined,
        ).catch((e: unknown) => {
          // case-only renames: the target "exists" on case-insensitive file systems only
          if (op.to.toLowerCase() !== op.from.toLowerCase()) throw e;
        });
        await fs.rename(abs(op.from), abs(op.to));
        return null;
      case 'mkdir':
        await fs.mkdir(abs(op.path), { recursive: true });
        return null;
      case 'rmdir':
        await fs.rm(abs(op.path), { recursive: true });
        return null;
    }
  } catch {
    return null;
  }
}

/** Lowercase hex SHA-256 of bytes. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
