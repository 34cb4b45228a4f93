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
  /** Overwrites `size` bytes in place at `offset` (clamped to the file), like a database or an editor saving in place. */
  | { kind: 'patch'; device: number; path: string; offset: number; size: number; fill: number }
  /**
   * A large file written in `pieces` equal pieces, `pauseMs` apart, while the engines sync
   * (it runs in the background: later operations go on meanwhile).
   */
  | { kind: 'grow'; device: number; path: string; size: number; pieces: number; pauseMs: number; fill: number }
  | { kind: 'truncate'; device: number; path: string; size: number }
  | { kind: 'delete'; device: number; path: string }
  | { kind: 'rename'; device: number; from: string; to: string }
  | { kind: 'mkdir'; device: number; path: string }
  | { kind: 'rmdir'; device: number; path: string }
  /** Selective sync on the device: exclude a folder (the engine removes its local copy once uploaded)… */
  | { kind: 'exclude'; device: number; path: string }
  /** …or include it again. Applied through the engine, not the file system (see the harness). */
  | { kind: 'include'; device: number; path: string }
  | ShareOp;

/**
 * Sharing operations (share mode only), made through the sharing API the CLI and the UI use
 * (src-main/engine/sharing.ts) with the device's own credentials. `pick` chooses among what
 * exists when the op runs (pending invitations, shares the account owns or is a member of,
 * their members), so the ops hit live shares whatever came before; an op that finds nothing
 * to act on, or that the server refuses, is skipped like a file op that does not apply.
 */
export type ShareOp =
  /** Share a folder the device has (picked among its folders) with another account (`member` picks which). */
  | { kind: 'share'; device: number; pick: number; role: 'editor' | 'viewer'; member: number }
  /** Accept a pending invitation at `path` (null: the server's default name; taken: the default). */
  | { kind: 'accept'; device: number; path: string | null; pick: number }
  /** The owner changes a member's (or a pending invitation's) role. */
  | { kind: 'role'; device: number; role: 'editor' | 'viewer'; pick: number }
  /** The owner removes a member (or cancels an invitation). */
  | { kind: 'unmember'; device: number; pick: number }
  /** A member leaves a shared folder. */
  | { kind: 'leave'; device: number; pick: number }
  /** The owner stops sharing a folder. */
  | { kind: 'unshare'; device: number; pick: number };

/** Operations {@link applyOp} performs on the file system (the rest go to the engine or the server). */
export type FsOp = Exclude<Op, { kind: 'exclude' | 'include' } | ShareOp>;

/** Sharing op kinds (see {@link ShareOp}). */
export const SHARE_KINDS: ReadonlyArray<ShareOp['kind']> = ['share', 'accept', 'role', 'unmember', 'leave', 'unshare'];

/**
 * The account of device `i` of `clients`: all 0 in single-account mode; in share mode 2
 * devices are accounts 0 and 1, 3 devices are 0, 0, 1 (the owner has two devices), 4 devices
 * are 0, 0, 1, 2 (a second member account).
 */
export function accountOf(i: number, clients: number, share: boolean): number {
  if (!share) return 0;
  return ([[0], [0, 1], [0, 0, 1], [0, 0, 1, 2]][clients - 1] ?? [])[i] ?? i;
}

/** Options of {@link generateWorkload}. */
export interface WorkloadOptions {
  /**
   * Share mode: most seeds open with a folder written, shared and accepted (so the rest runs
   * against a live share), then about 30% of the ops are sharing ops; the name space gains the
   * `Shared` folder members accept into. Off, the list is exactly what it always was for a seed.
   */
  share?: boolean;
}

const NAMES = ['a', 'b', 'c', 'Doc', 'notes.txt', 'img.bin', 'x y', 'é.md'];
const DIRS = ['', 'd1', 'd1/sub', 'd2', 'Photos'];
/** Share mode's folders: members accept into `Shared` (or a workload folder, or the default name). */
const SHARE_DIRS = [...DIRS, 'Shared'];
/** Where a member accepts (null: the default name, i.e. the owner's folder name). */
const ACCEPT_AT: ReadonlyArray<string | null> = ['Shared', 'Photos', 'd2', 'd1/sub', null, null];
/** Folders selective sync picks from: the workload's folders and its folder-rename targets. */
const SELECTIVE = ['d1', 'd1/sub', 'd2', 'Photos', 'd3', 'Photos2'];
const MiB = 1024 * 1024;

/**
 * Generates `count` operations for `devices` devices from `seed`. Paths are drawn from a
 * small name space on purpose so that devices collide on the same paths (concurrent edits,
 * create/create, edit/delete, case-only renames).
 */
export function generateWorkload(seed: number, devices: number, count: number, opts: WorkloadOptions = {}): Op[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const dirs = opts.share ? SHARE_DIRS : DIRS;
  const file = () => path.posix.join(pick(dirs), pick(NAMES));
  const size = () => (rnd() < 0.85 ? Math.floor(rnd() * 4096) : Math.floor(rnd() * 3 * 1024 * 1024));
  const ops: Op[] = [];
  const role = () => (rnd() < 0.6 ? 'editor' : 'viewer');
  if (opts.share && devices > 1 && count >= 3 && rnd() < 0.8) {
    // Prologue: the owner's first device writes into a folder and shares it; the first device
    // of account 1 accepts. The share may still race the upload (refused: the op is skipped).
    const member = Array.from({ length: devices }, (_, i) => i).find((i) => accountOf(i, devices, true) === 1)!;
    ops.push({ kind: 'write', device: 0, path: `${pick(['d1', 'd2', 'Photos'])}/${pick(NAMES)}`, size: Math.floor(rnd() * 4096), fill: Math.floor(rnd() * 2 ** 31) });
    ops.push({ kind: 'share', device: 0, pick: Math.floor(rnd() * 1000), role: role(), member: 0 });
    ops.push({ kind: 'accept', device: member, path: pick(ACCEPT_AT), pick: 0 });
  }
  while (ops.length < count) {
    const device = Math.floor(rnd() * devices);
    if (opts.share && rnd() < 0.3) {
      const s = rnd();
      const n = Math.floor(rnd() * 1000);
      if (s < 0.3) ops.push({ kind: 'share', device, pick: n, role: role(), member: Math.floor(rnd() * 1000) });
      else if (s < 0.6) ops.push({ kind: 'accept', device, path: pick(ACCEPT_AT), pick: n });
      else if (s < 0.72) ops.push({ kind: 'role', device, role: role(), pick: n });
      else if (s < 0.82) ops.push({ kind: 'unmember', device, pick: n });
      else if (s < 0.91) ops.push({ kind: 'leave', device, pick: n });
      else ops.push({ kind: 'unshare', device, pick: n });
      continue;
    }
    const r = rnd();
    if (r < 0.3) ops.push({ kind: 'write', device, path: file(), size: size(), fill: Math.floor(rnd() * 2 ** 31) });
    else if (r < 0.38) ops.push({ kind: 'append', device, path: file(), size: 1 + Math.floor(rnd() * 512), fill: Math.floor(rnd() * 2 ** 31) });
    else if (r < 0.42) ops.push({ kind: 'patch', device, path: file(), offset: Math.floor(rnd() * 2048), size: 1 + Math.floor(rnd() * 256), fill: Math.floor(rnd() * 2 ** 31) });
    else if (r < 0.46) ops.push({ kind: 'truncate', device, path: file(), size: Math.floor(rnd() * 64) });
    else if (r < 0.56) ops.push({ kind: 'delete', device, path: file() });
    else if (r < 0.65) {
      const from = file();
      const caseOnly = rnd() < 0.3;
      const to = caseOnly ? path.posix.join(path.posix.dirname(from), swapCase(path.posix.basename(from))) : file();
      ops.push({ kind: 'rename', device, from: from.replace(/^\.\//u, ''), to: to.replace(/^\.\//u, '') });
    } else if (r < 0.72) {
      const from = pick(dirs.filter(Boolean));
      ops.push({ kind: 'rename', device, from, to: pick(['d3', 'd1/moved', 'Photos2', from.toUpperCase()]) });
    } else if (r < 0.8) ops.push({ kind: 'mkdir', device, path: path.posix.join(pick(dirs), pick(['new', 'Empty'])) });
    else if (r < 0.87) ops.push({ kind: 'rmdir', device, path: pick(dirs.filter(Boolean)) });
    else if (r < 0.91) {
      ops.push({
        kind: 'grow',
        device,
        path: file(),
        size: 2 * MiB + Math.floor(rnd() * 4 * MiB),
        pieces: 3 + Math.floor(rnd() * 6),
        pauseMs: 10 + Math.floor(rnd() * 90),
        fill: Math.floor(rnd() * 2 ** 31),
      });
    } else if (r < 0.96) ops.push({ kind: 'exclude', device, path: pick(SELECTIVE) });
    else ops.push({ kind: 'include', device, path: pick(SELECTIVE) });
  }
  return ops.map(normaliseOp);
}

function swapCase(s: string): string {
  return [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}

function normaliseOp(op: Op): Op {
  const clean = (p: string) => p.replace(/^\/+/u, '');
  if (op.kind === 'rename') return { ...op, from: clean(op.from), to: clean(op.to) };
  if (!('path' in op) || op.path === null) return op;
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
 * Called with a file's whole content right after the workload changed it, read through the
 * same open file (so it names the content even if the engine renamed the file meanwhile).
 * The harness uses it for the torn-file check: such content is a local edit.
 */
export type ContentObserver = (content: Buffer) => void;

/** Reads the whole file behind an open handle (from offset 0, whatever its path is now). */
async function readAll(fh: fs.FileHandle): Promise<Buffer> {
  const { size } = await fh.stat();
  const out = Buffer.alloc(size);
  let got = 0;
  while (got < size) {
    const { bytesRead } = await fh.read(out, got, size - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return out.subarray(0, got);
}

/**
 * Applies one file-system operation to the folder `root`. Operations that do not apply to
 * the current state (renaming a missing file, writing under a path whose parent is a file)
 * are skipped: returns the SHA-256 of the content the operation left when it produced new
 * content, `null` otherwise. `observe` sees that content too (for `grow`, after every piece).
 */
export async function applyOp(root: string, op: FsOp, observe: ContentObserver = () => {}): Promise<string | null> {
  const abs = (p: string) => path.join(root, ...p.split('/'));
  // Every content change goes through one open handle, and is read back through it.
  const edit = async (p: string, flags: string, change: (fh: fs.FileHandle) => Promise<void>): Promise<string> => {
    const fh = await fs.open(abs(p), flags);
    try {
      await change(fh);
      const data = await readAll(fh);
      observe(data);
      return sha256(data);
    } finally {
      await fh.close();
    }
  };
  try {
    switch (op.kind) {
      case 'write':
        await fs.mkdir(path.dirname(abs(op.path)), { recursive: true });
        return await edit(op.path, 'w+', async (fh) => {
          await fh.writeFile(contentFor(op.fill, op.size));
        });
      case 'append':
        return await edit(op.path, 'r+', async (fh) => {
          const { size } = await fh.stat();
          await fh.write(contentFor(op.fill, op.size), 0, op.size, size);
        });
      case 'patch':
        return await edit(op.path, 'r+', async (fh) => {
          const { size } = await fh.stat();
          const at = size === 0 ? 0 : op.offset % size;
          await fh.write(contentFor(op.fill, op.size), 0, op.size, at);
        });
      case 'truncate':
        return await edit(op.path, 'r+', (fh) => fh.truncate(op.size));
      case 'grow': {
        // One handle held open across the pieces, like a copy or a download in progress: if the
        // engine renames the file meanwhile, the rest still lands in the same file.
        await fs.mkdir(path.dirname(abs(op.path)), { recursive: true });
        const data = contentFor(op.fill, op.size);
        const piece = Math.ceil(op.size / op.pieces);
        const fh = await fs.open(abs(op.path), 'w+');
        try {
          let written: Buffer = Buffer.alloc(0);
          for (let at = 0; at < op.size; at += piece) {
            if (at > 0) await new Promise((r) => setTimeout(r, op.pauseMs));
            await fh.write(data, at, Math.min(piece, op.size - at), at);
            written = await readAll(fh);
            observe(written);
          }
          return sha256(written);
        } finally {
          await fh.close();
        }
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
