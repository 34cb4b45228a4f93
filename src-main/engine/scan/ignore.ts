/**
 * Ignore rules: the root `.cairnignore` (gitignore syntax, the `ignore` package) plus
 * built-in defaults for OS and editor litter and the engine's own temp files. Ignored paths
 * are never uploaded, never downloaded and never deleted by the engine.
 */
import ignore, { type Ignore } from 'ignore';

/** Prefix of the engine's temp files (downloads in progress); always ignored. */
export const TEMP_PREFIX = '.cairn-tmp-';

/** Name of the ignore-rules file at the sync root. */
export const IGNORE_FILE = '.cairnignore';

/** Built-in rules (gitignore syntax). */
export const DEFAULT_IGNORES: readonly string[] = [
  `${TEMP_PREFIX}*`,
  '.DS_Store',
  '._*',
  '.Spotlight-V100',
  '.Trashes',
  '.fseventsd',
  'Thumbs.db',
  'ehthumbs.db',
  'desktop.ini',
  '$RECYCLE.BIN/',
  '~$*',
  '*.tmp',
  '*.swp',
  '*.swo',
  '*~',
  '.~lock.*#',
];

/**
 * Built-in OS litter (file names, gitignore syntax): Finder's `.DS_Store` and AppleDouble `._*`
 * files, Explorer's `Thumbs.db`, `ehthumbs.db` and `desktop.ini`. The OS re-creates them at will
 * and they hold nothing of the user's, so they never keep a folder deleted elsewhere alive: they
 * are deleted with it (Syncthing's `(?d)` deletable-ignore prefix, on by default here; D37).
 */
export const LITTER: readonly string[] = ['.DS_Store', '._*', 'Thumbs.db', 'ehthumbs.db', 'desktop.ini'];

const litter = ignore().add([...LITTER]);

/** True when a FILE named `name` (a base name) is built-in OS litter ({@link LITTER}). */
export function isLitter(name: string): boolean {
  return name !== '' && !name.includes('/') && litter.ignores(name);
}

/** Compiled ignore rules. `isIgnored(path, isFolder)` for sync-root-relative paths. */
export class IgnoreRules {
  private readonly ig: Ignore;
  readonly text: string;
  constructor(text = '') {
    this.text = text;
    this.ig = ignore({ allowRelativePaths: true }).add([...DEFAULT_IGNORES]).add(text);
  }
  /** True when `path` (relative, `/`-separated) or one of its parents is ignored. */
  isIgnored(path: string, isFolder = false): boolean {
    if (path === '') return false;
    try {
      return this.ig.ignores(isFolder ? `${path}/` : path);
    } catch {
      return false;
    }
  }
}
