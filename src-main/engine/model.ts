/**
 * Shared vocabulary of the engine: one row of a tree (remote, local or synced).
 *
 * Paths are relative to the sync root, `/`-separated, NFC (src-shared/paths.ts). Times are
 * integer milliseconds since the epoch (local mtimes may carry sub-millisecond fractions as
 * read from `stat`). Sizes are bytes.
 */

/** Kind of an entry. */
export type Kind = 'file' | 'folder';

/**
 * One node of a tree. Which fields are meaningful depends on the tree:
 * - remote: ns, id, rev, hash, size, mtime, executable, blocks (from the server's Entry)
 * - local: hash, size, mtime, inode, executable, blocks (from the scanner)
 * - synced (merge base): id, rev, hash, size, mtime, inode, executable — the last state
 *   both sides agreed on.
 */
export interface TreeNode {
  path: string;
  kind: Kind;
  ns: string | null;
  /** Server entry id: stable across moves (remote and synced trees). */
  id: string | null;
  /** Server revision (files; null for folders). */
  rev: string | null;
  /** Content hash (files; null for folders or not yet hashed). */
  hash: string | null;
  size: number;
  /** Modification time in ms since the epoch. */
  mtime: number;
  /** Local inode number (local and synced trees); detects local moves. */
  inode: number | null;
  executable: boolean;
  /** Ordered block hashes (remote tree; local tree once hashed). */
  blocks: string[] | null;
  /** Name of the device that made the last remote change (remote tree), for activity. */
  device?: string | null;
  /** Local status-change time (ms) when last read (local tree): a utimes-restored mtime still changes it. */
  ctime?: number | null;
  /** Wall clock (ms) when `hash` was computed (local tree): decides "racily clean" (D20, D27). */
  hashedAt?: number | null;
}

/** The three trees, keyed by path. */
export interface Trees {
  remote: Map<string, TreeNode>;
  local: Map<string, TreeNode>;
  synced: Map<string, TreeNode>;
}

/** Which tree a row belongs to. */
export type TreeName = 'remote' | 'local' | 'synced';

/** A fresh node with defaults, overridden by `p`. */
export function node(p: Partial<TreeNode> & { path: string; kind: Kind }): TreeNode {
  return {
    ns: null,
    id: null,
    rev: null,
    hash: null,
    size: 0,
    mtime: 0,
    inode: null,
    executable: false,
    blocks: null,
    ctime: null,
    hashedAt: null,
    ...p,
  };
}
