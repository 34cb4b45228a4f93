/**
 * Scanner: reads the sync root (or some dirty paths of it) into local-tree nodes.
 *
 * Fast path: a file whose (inode, size, mtime) equal the previous local node keeps its
 * content hash without being read, so an unchanged tree rescans at `lstat` speed. Changed
 * files are cut and hashed by the chunker. Things that cannot be synced are returned as
 * issues, never silently dropped: symlinks (not followed), sockets/FIFOs/devices, unreadable
 * files and folders, invalid or colliding names, names other OSes cannot hold, and files
 * that keep changing while read (the previous node is kept and the file is retried later:
 * torn content is never returned).
 */
import { lstatSync, type Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { CairnError } from '../../../src-shared/errors.ts';
import { EMPTY_CONTENT_HASH, contentHash } from '../../../src-shared/hash.ts';
import { MAX_PATH_BYTES, isPortableName, joinPath, pathKey, tryNormalizePath as tryNormalize } from '../../../src-shared/paths.ts';
import { node, type TreeNode } from '../model.ts';
import type { BlockRef, BlockSink, Chunker } from './chunker.ts';
import { TEMP_PREFIX, type IgnoreRules } from './ignore.ts';

/** A condition the scanner reports for one path (stored as a sync issue). */
export interface ScanIssue {
  path: string;
  code: string;
  message: string;
  action: string;
}

/** Input of {@link scan}. */
export interface ScanOptions {
  /** Absolute path of the sync root. */
  root: string;
  /** Sync-root-relative paths to rescan (each with its subtree); `[""]` = the whole tree. */
  scopes: readonly string[];
  /** The previous local node at a path (fast path and fallbacks). */
  prev: (p: string) => TreeNode | undefined;
  /**
   * Optional bulk form of `prev`: the previous local nodes directly inside folder `p`, by name
   * (e.g. StateDb.childrenLite). When given, a folder's entries cost one lookup, not one each.
   */
  prevChildren?: (p: string) => Map<string, TreeNode>;
  ignore: IgnoreRules;
  chunker: Chunker;
  /** Paths never to descend into or report (selective sync exclusions). */
  skip?: (p: string) => boolean;
  /** Files hashed at once (default 4). */
  concurrency?: number;
  /**
   * Early upload (optional): a sink for the blocks of a file of at least
   * {@link EARLY_UPLOAD_MIN_BYTES} being hashed, or null for none. The scanner hands it each
   * block as it is hashed (when the chunker can stream); the sink never holds up the scan.
   */
  earlyUpload?: (rel: string, abs: string) => BlockSink | null;
  /**
   * Polled before each folder read and each file hashed: true ends the scan with CairnError
   * `unavailable` (the engine is stopping). Never a partial result: files not scanned would
   * read as deleted.
   */
  stopped?: () => boolean;
}

/** Files this large (bytes) have their blocks handed to {@link ScanOptions.earlyUpload}. */
export const EARLY_UPLOAD_MIN_BYTES = 16 * 1024 * 1024;

/** Output of {@link scan}. */
export interface ScanResult {
  /** Every node found inside the scopes (folders and files). */
  nodes: TreeNode[];
  /** Block lists of files that were (re)hashed in this scan, by path. */
  hashed: Map<string, BlockRef[]>;
  /** Paths whose previous subtree must be kept as is (unreadable folders). */
  keep: string[];
  issues: ScanIssue[];
  /** Codes of issues that the scanner owns (cleared for the scopes before storing new ones). */
  rootMissing: boolean;
  /** The engine's own temp files found (relative paths): leftovers are swept at start. */
  temps: string[];
}

/** Issue codes produced by the scanner. */
export const SCAN_ISSUE_CODES = [
  'symlink',
  'special_file',
  'unreadable',
  'path_invalid',
  'path_case_collision',
  'non_portable',
  'changed_during_read',
] as const;

const ACTIONS: Record<string, string> = {
  symlink: 'Symbolic links are not synced. Replace it with the file or folder itself to sync it.',
  special_file: 'Sockets, pipes and devices cannot be synced. Move it out of the Cairn folder.',
  unreadable: 'Cairn may not read it. Fix its permissions.',
  path_invalid: 'Rename it: the name holds characters Cairn cannot sync (backslash, control characters) or is not NFC.',
  path_case_collision: 'Rename one of them: another item has the same name ignoring case.',
  non_portable: 'It syncs, but Windows devices cannot hold this name. Rename it to sync it everywhere.',
  changed_during_read: 'The file kept changing while Cairn read it; it will be retried.',
};

function issue(p: string, code: string, message: string): ScanIssue {
  return { path: p, code, message, action: ACTIONS[code] ?? '' };
}

/** True when a chunker/file-system error means "cannot read". */
function codeOf(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}

/** Directory entries stat'ed synchronously between two yields to the event loop. */
const LSTAT_BATCH = 256;

/**
 * Scans `opts.scopes` under `opts.root`.
 *
 * Cost (docs/decisions.md D32): folders are read with one async `readdir`; their
 * entries are `lstat`ed synchronously in batches of {@link LSTAT_BATCH} (an async lstat costs
 * ≈ 3× the CPU of the syscall itself in promise and thread-pool overhead — the bulk of an
 * unchanged rescan), yielding to the event loop between batches; each file costs one `prev`
 * lookup and one ignore check, and an unchanged one (the fast path) is settled on the spot, so
 * only the files to hash are kept until the hashing phase.
 * @returns nodes, hashed block lists, issues; `rootMissing` when the root is not a folder.
 */
export async function scan(opts: ScanOptions): Promise<ScanResult> {
  const out: ScanResult = { nodes: [], hashed: new Map(), keep: [], issues: [], rootMissing: false, temps: [] };
  let rootStat: Stats;
  try {
    rootStat = await lstat(opts.root);
  } catch {
    out.rootMissing = true;
    return out;
  }
  if (!rootStat.isDirectory()) {
    out.rootMissing = true;
    return out;
  }
  const files: Array<{ rel: string; st: Stats; prev: TreeNode | undefined }> = [];
  // Overlapping scopes could reach a path twice; a single scope cannot (no links are followed).
  const seen = opts.scopes.length > 1 ? new Set<string>() : null;

  /** Handles one entry: records it, or queues it for hashing, or adds it to `subfolders` to walk. */
  const visit = (rel: string, st: Stats, subfolders: string[], prevOf: () => TreeNode | undefined): void => {
    if (seen) {
      if (seen.has(rel)) return;
      seen.add(rel);
    }
    if (opts.skip?.(rel)) return;
    if (st.isSymbolicLink()) {
      out.issues.push(issue(rel, 'symlink', 'Symbolic link (not followed)'));
      return;
    }
    if (st.isDirectory()) {
      if (opts.ignore.isIgnored(rel, true)) return;
      if (rel !== '') out.nodes.push(node({ path: rel, kind: 'folder', mtime: st.mtimeMs, inode: st.ino }));
      subfolders.push(rel);
      return;
    }
    if (!st.isFile()) {
      out.issues.push(issue(rel, 'special_file', 'Socket, pipe or device'));
      return;
    }
    if (path.basename(rel).startsWith(TEMP_PREFIX)) out.temps.push(rel);
    if (opts.ignore.isIgnored(rel, false)) return;
    const prev = prevOf();
    if (stillHashed(prev, st)) {
      const exec = (st.mode & 0o100) !== 0;
      out.nodes.push(prev.executable === exec ? prev : { ...prev, executable: exec });
      return;
    }
    files.push({ rel, st, prev });
  };

  /** Reads folder `rel` (already validated) and visits its entries; returns its subfolders. */
  const walkOne = async (rel: string): Promise<string[]> => {
    let names: string[];
    try {
      names = await readdir(path.join(opts.root, rel));
    } catch (err) {
      if (codeOf(err) === 'ENOENT') return [];
      out.issues.push(issue(rel, 'unreadable', `Folder cannot be read (${codeOf(err) ?? 'error'})`));
      out.keep.push(rel);
      return [];
    }
    const relBytes = rel === '' ? 0 : Buffer.byteLength(rel) + 1;
    const kids = opts.prevChildren?.(rel);
    const prevOf = (name: string): TreeNode | undefined => (kids ? kids.get(name) : opts.prev(joinPath(rel, name)));
    // Names that are valid Cairn names, by case-folded key (collisions resolved below).
    const byKey = new Map<string, string[]>();
    for (const name of names) {
      if (!validChildName(relBytes, name)) {
        const child = joinPath(rel, name);
        if (!opts.ignore.isIgnored(child)) out.issues.push(issue(child, 'path_invalid', 'Name cannot be synced'));
        continue;
      }
      const key = pathKey(name);
      const same = byKey.get(key);
      if (same) same.push(name);
      else byKey.set(key, [name]);
    }
    const chosen: string[] = [];
    for (const group of byKey.values()) {
      if (group.length === 1) {
        chosen.push(group[0] as string);
        continue;
      }
      // Two names colliding ignoring case: the one the previous tree knows wins, else the first in
      // code-unit order; the others are reported (D26 renames them).
      const known = group.map((n) => ({ n, known: !!prevOf(n) }));
      known.sort((a, b) => Number(!a.known) - Number(!b.known) || (a.n < b.n ? -1 : 1));
      const winner = (known[0] as { n: string }).n;
      chosen.push(winner);
      for (const { n } of known.slice(1)) out.issues.push(issue(joinPath(rel, n), 'path_case_collision', `Same name as "${winner}" ignoring case`));
    }
    const subfolders: string[] = [];
    for (let k = 0; k < chosen.length; k++) {
      if (k > 0 && k % LSTAT_BATCH === 0) await new Promise<void>((r) => setImmediate(r));
      const name = chosen[k] as string;
      const child = joinPath(rel, name);
      let st: Stats | undefined;
      try {
        st = lstatSync(path.join(opts.root, child), { throwIfNoEntry: false });
      } catch (err) {
        out.issues.push(issue(child, 'unreadable', `Cannot read (${codeOf(err) ?? 'error'})`));
        out.keep.push(child);
        continue;
      }
      if (!st) continue; // gone meanwhile
      if (!isPortableName(name) && !opts.ignore.isIgnored(child, st.isDirectory())) {
        out.issues.push(issue(child, 'non_portable', 'Name cannot exist on Windows'));
      }
      visit(child, st, subfolders, () => prevOf(name));
    }
    return subfolders;
  };

  const stopped = opts.stopped ?? ((): boolean => false);
  const checkStopped = (): void => {
    if (stopped()) throw new CairnError('unavailable', 'the scan was stopped');
  };

  /** Walks the subtree of folder `rel` (depth first, one folder read at a time). */
  const walk = async (rel: string): Promise<void> => {
    const stack = [rel];
    while (stack.length > 0) {
      checkStopped();
      const dir = stack.pop() as string;
      const subs = await walkOne(dir);
      for (let k = subs.length - 1; k >= 0; k--) stack.push(subs[k] as string);
    }
  };

  for (const scope of opts.scopes) {
    if (scope !== '' && tryNormalize(scope) !== scope) {
      if (!opts.ignore.isIgnored(scope)) out.issues.push(issue(scope, 'path_invalid', 'Name cannot be synced'));
      continue;
    }
    if (scope === '') {
      seen?.add('');
      await walk('');
      continue;
    }
    let st: Stats;
    try {
      st = await lstat(path.join(opts.root, scope));
    } catch (err) {
      if (codeOf(err) !== 'ENOENT') {
        out.issues.push(issue(scope, 'unreadable', `Cannot read (${codeOf(err) ?? 'error'})`));
        out.keep.push(scope);
      }
      continue;
    }
    const subs: string[] = [];
    visit(scope, st, subs, () => opts.prev(scope));
    for (const d of subs) await walk(d);
  }

  // Hash what changed, a few files at a time.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      checkStopped();
      const f = files[next++] as { rel: string; st: Stats; prev: TreeNode | undefined };
      await hashOne(f.rel, f.st, f.prev, opts, out);
    }
  };
  // Every worker ends before the scan does, also when one throws (a stop): a worker still
  // hashing a large file must not outlive an engine that has closed and let go of its home.
  const ended = await Promise.allSettled(Array.from({ length: opts.concurrency ?? 4 }, worker));
  const failed = ended.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return out;
}

/**
 * True when `name` (one directory entry) is a valid Cairn name in its normal form inside a folder
 * whose path takes `parentBytes` UTF-8 bytes (plus the slash): the same verdict as
 * `normalizePath(parent/name) === parent/name` for a valid parent, at the cost of the name alone
 * (NFC normalises the components separately: "/" never composes).
 */
function validChildName(parentBytes: number, name: string): boolean {
  if (tryNormalize(name) !== name) return false;
  return parentBytes + Buffer.byteLength(name) <= MAX_PATH_BYTES;
}

/**
 * The scanner's fast path: `prev` (the local node as last hashed) still describes the file at
 * `st` without reading it. Inode, size, mtime and ctime must match (a utimes-restored mtime still
 * moves ctime), and the mtime must be older than the hash by the racy margin — else a same-size
 * rewrite in the same clock tick as the hashed version would look unchanged (git's racily-clean
 * rule; D20, D27).
 */
export function stillHashed(prev: TreeNode | null | undefined, st: Stats): prev is TreeNode {
  return (
    !!prev && prev.kind === 'file' && !!prev.hash && prev.inode === st.ino && prev.size === st.size && prev.mtime === st.mtimeMs &&
    prev.ctime != null && prev.ctime === st.ctimeMs && prev.hashedAt != null && st.mtimeMs < prev.hashedAt - RACY_MARGIN_MS
  );
}

/** Racy-timestamp margin (ms): a file modified this close to its hashing is re-read (D20). */
export const RACY_MARGIN_MS = 20;

/**
 * Builds a local file node from a stat and a block list. `hashedAt` is the wall clock when the
 * content was known to match `st` (read by the chunker, or written by the engine).
 */
export function fileNode(rel: string, st: Stats, blocks: BlockRef[], hashedAt = Date.now()): TreeNode {
  const hashes = blocks.map((b) => b.hash);
  return node({
    path: rel,
    kind: 'file',
    hash: hashes.length === 0 ? EMPTY_CONTENT_HASH : contentHash(hashes),
    size: st.size,
    mtime: st.mtimeMs,
    inode: st.ino,
    executable: (st.mode & 0o100) !== 0,
    blocks: hashes,
    ctime: st.ctimeMs,
    hashedAt,
  });
}

/** Chunks the file at `abs`, handing each block to `sink` as it is hashed; ends the sink either way. */
async function chunkInto(chunker: Chunker, abs: string, sink: BlockSink): Promise<BlockRef[]> {
  const out: BlockRef[] = [];
  try {
    for await (const b of chunker.chunkFileBlocks?.(abs) ?? []) {
      out.push(b);
      await sink.push(b);
    }
  } finally {
    sink.end();
  }
  return out;
}

async function hashOne(rel: string, st: Stats, prev: TreeNode | undefined, opts: ScanOptions, out: ScanResult): Promise<void> {
  const abs = path.join(opts.root, rel);
  try {
    const sink = st.size >= EARLY_UPLOAD_MIN_BYTES && opts.chunker.chunkFileBlocks ? (opts.earlyUpload?.(rel, abs) ?? null) : null;
    const blocks = sink ? await chunkInto(opts.chunker, abs, sink) : await opts.chunker.chunkFile(abs);
    const after = await lstat(abs);
    const total = blocks.reduce((s, b) => s + b.length, 0);
    if (after.size !== st.size || after.mtimeMs !== st.mtimeMs || after.ctimeMs !== st.ctimeMs || after.ino !== st.ino || total !== after.size) {
      throw Object.assign(new Error('changed during read'), { code: 'changed_during_read' });
    }
    out.nodes.push(fileNode(rel, after, blocks));
    out.hashed.set(rel, blocks);
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ENOENT' || code === 'not_found') return; // gone meanwhile: the next scan sees it
    if (code === 'changed_during_read') out.issues.push(issue(rel, 'changed_during_read', 'Changed while being read'));
    else out.issues.push(issue(rel, 'unreadable', `Cannot read (${code ?? String(err)})`));
    // Keep what we knew: a file we cannot read now must not look deleted.
    if (prev) out.nodes.push(prev);
  }
}
