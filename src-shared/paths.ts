/**
 * Path rules of protocol v1 — pure functions, shared by server, engine and UI.
 *
 * A Cairn path is namespace-relative, `/`-separated, without a leading or trailing slash;
 * the root is `""`. Paths are case-preserving, stored in Unicode NFC, and unique under
 * {@link pathKey} (NFC + case fold) so that macOS and Windows clients never see two names
 * that collide.
 *
 * Refused everywhere (error `path_invalid`): empty components, `.`/`..`, NUL and C0/C1 control
 * characters, backslash, a leading `/`. Accepted but flagged non-portable
 * ({@link isPortableName} false): names Windows cannot hold (`CON`, `aux.txt`, `COM1`, trailing
 * dot or space, `<>:"|?*`). Refusing those would strand files Linux and macOS users already
 * have; a Windows client reports them as "cannot sync here" instead (docs/decisions.md).
 *
 * May import: nothing of ours.
 */
import { CairnError } from './errors.ts';

/** Maximum bytes (UTF-8) of one path component. */
export const MAX_NAME_BYTES = 255;
/** Maximum bytes (UTF-8) of a whole path. */
export const MAX_PATH_BYTES = 4096;

// C0 controls, DEL, C1 controls, and backslash.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f\\]/u;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/iu;
const WINDOWS_FORBIDDEN_CHARS = /[<>:"|?*]/u;

const utf8 = new TextEncoder();

/**
 * Validates and normalises a client-supplied path: returns it in NFC.
 * @throws CairnError `path_invalid` | `path_too_long` | `name_too_long`
 */
export function normalizePath(raw: string): string {
  if (typeof raw !== 'string') throw new CairnError('path_invalid', 'path must be a string');
  if (raw === '') return '';
  // A lone surrogate would be stored as U+FFFD, so the stored name would differ from the
  // client's and the two would never agree (a sync loop).
  if (!raw.isWellFormed()) throw new CairnError('path_invalid', 'path is not well-formed Unicode (lone surrogate)');
  const path = raw.normalize('NFC');
  if (utf8.encode(path).length > MAX_PATH_BYTES) throw new CairnError('path_too_long');
  if (path.startsWith('/')) throw new CairnError('path_invalid', 'path must be relative (no leading "/")');
  if (FORBIDDEN_CHARS.test(path)) {
    throw new CairnError('path_invalid', 'path contains a control character or a backslash');
  }
  for (const name of path.split('/')) {
    if (name === '') throw new CairnError('path_invalid', 'path has an empty component');
    if (name === '.' || name === '..') throw new CairnError('path_invalid', 'path has a "." or ".." component');
    if (utf8.encode(name).length > MAX_NAME_BYTES) throw new CairnError('name_too_long');
  }
  return path;
}

/** Like {@link normalizePath} but returns null instead of throwing. */
export function tryNormalizePath(raw: string): string | null {
  try {
    return normalizePath(raw);
  } catch {
    return null;
  }
}

/**
 * Uniqueness key of a path: NFC, then Unicode default case folding (approximated by
 * `toLowerCase` after `toUpperCase`, which folds ß→ss-style special cases consistently
 * across platforms' JS engines). Two entries whose keys are equal may not coexist.
 */
export function pathKey(path: string): string {
  return path.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/** True when a name can be created on Windows, macOS and Linux alike. */
export function isPortableName(name: string): boolean {
  if (WINDOWS_RESERVED.test(name)) return false;
  if (WINDOWS_FORBIDDEN_CHARS.test(name)) return false;
  if (name.endsWith('.') || name.endsWith(' ')) return false;
  return true;
}

/** True when every component of `path` is portable ({@link isPortableName}). */
export function isPortablePath(path: string): boolean {
  return path === '' || path.split('/').every(isPortableName);
}

/** Parent of a path; the parent of a top-level entry is `""` (the root). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Last component of a path (`""` for the root). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Joins a parent path and a child name. */
export function joinPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

/** All strict ancestors of a path, outermost first (`"a/b/c"` → `["a", "a/b"]`). */
export function ancestors(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return path === '' ? [] : out;
}

/** True when `path` equals `prefix` or lies inside it (case-sensitive, path-component aware). */
export function isInside(path: string, prefix: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** Rewrites `path` that lies inside `from` to lie inside `to` (for folder moves). */
export function rebase(path: string, from: string, to: string): string {
  if (path === from) return to;
  return joinPath(to, path.slice(from.length + 1));
}

/**
 * Name of a conflicted copy: `name (conflicted copy from DEVICE YYYY-MM-DD).ext`, with `n`
 * appended inside the parentheses when the name is taken (` 2`, ` 3`, …). The extension is
 * the part after the last dot of the base name, unless the name starts with its only dot.
 * `date` is formatted in UTC so that every device derives the same name.
 */
export function conflictedCopyPath(path: string, device: string, date: Date, n = 1): string {
  const parent = parentPath(path);
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const day = date.toISOString().slice(0, 10);
  // eslint-disable-next-line no-control-regex
  const safeDevice = device.replace(/[\\/\u0000-\u001f]/gu, '_');
  const suffix = n > 1 ? ` ${n}` : '';
  return joinPath(parent, `${stem} (conflicted copy from ${safeDevice} ${day}${suffix})${ext}`);
}

/** True when a name looks like a conflicted copy made by {@link conflictedCopyPath}. */
export function isConflictedCopyName(name: string): boolean {
  return / \(conflicted copy from .+ \d{4}-\d{2}-\d{2}( \d+)?\)(\.[^.]*)?$/u.test(name);
}
