/** Formatting for the UI: sizes, durations, times and activity verbs. Pure functions. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** `1536` → `"1.5 KB"` (powers of 1024, one decimal under 10). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  let i = 0;
  let v = n;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 10 ? 0 : 1;
  return `${v.toFixed(digits)} ${UNITS[i]}`;
}

/** Milliseconds left → `"about 3 min"`; null when unknown. */
export function formatEta(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return null;
  const s = Math.round(ms / 1000);
  if (s < 5) return 'a few seconds';
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `about ${m} min`;
  const h = Math.floor(m / 60);
  return `about ${h} h ${m % 60} min`;
}

/** A past time relative to `now`: "just now", "5 min ago", else the date and time. */
export function formatWhen(time: number, now: number = Date.now()): string {
  const d = Math.max(0, now - time);
  if (d < 45_000) return 'just now';
  if (d < 3_600_000) return `${Math.round(d / 60_000)} min ago`;
  if (d < 86_400_000) return `${Math.round(d / 3_600_000)} h ago`;
  return formatDateTime(time);
}

/** Absolute local date and time, e.g. "2026-11-21 10:45" (with `seconds`: "10:45:07"). */
export function formatDateTime(time: number, seconds = false): string {
  const t = new Date(time);
  const p = (n: number) => String(n).padStart(2, '0');
  const hm = `${p(t.getHours())}:${p(t.getMinutes())}${seconds ? `:${p(t.getSeconds())}` : ''}`;
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${hm}`;
}

const VERBS: Record<string, string> = {
  uploaded: 'Uploaded',
  downloaded: 'Downloaded',
  deleted_local: 'Deleted here',
  deleted_remote: 'Deleted on the server',
  deleted: 'Deleted',
  moved: 'Moved',
  conflict: 'Conflicted copy made',
  restored: 'Restored',
  error: 'Could not sync',
  created: 'Created',
  mkdir: 'Folder created',
};

/** Activity action code → a short human verb (unknown codes are shown readable). */
export function describeAction(action: string): string {
  return VERBS[action] ?? action.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** Last component of a Cairn path ("a/b/c.txt" → "c.txt"); the root is "Cairn". */
export function baseName(path: string): string {
  const p = path.replace(/\/+$/, '');
  const i = p.lastIndexOf('/');
  const name = i < 0 ? p : p.slice(i + 1);
  return name || 'Cairn';
}

/** Parent of a Cairn path ("a/b/c" → "a/b", "c" → ""). */
export function parentPath(path: string): string {
  const p = path.replace(/\/+$/, '');
  const i = p.lastIndexOf('/');
  return i <= 0 ? (p.startsWith('/') ? '/' : '') : p.slice(0, i);
}

/** Joins the local sync folder with a Cairn path for display (best effort, either slash). */
export function localPath(folder: string | null, path: string): string {
  if (!folder) return path;
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  const rel = path.replace(/^\/+/, '');
  return folder.replace(/[\\/]+$/, '') + sep + (sep === '\\' ? rel.replace(/\//g, '\\') : rel);
}

/** Largest bandwidth limit the form accepts, in KB/s (about 10 GB/s: more is "no limit" in practice). */
export const MAX_LIMIT_KBPS = 10_000_000;

/** A limit in bytes per second as the KB/s text of the preferences form (`0` = no limit). */
export function formatKbps(bps: number): string {
  if (!Number.isFinite(bps) || bps <= 0) return '0';
  // Up to two decimals, so a limit set elsewhere (the CLI takes bytes) is not shown rounded away.
  return String(Number((bps / 1024).toFixed(2)));
}

/** Result of {@link parseKbps}: bytes per second, or a sentence saying what is wrong. */
export type ParsedLimit = { ok: true; bps: number } | { ok: false; error: string };

/**
 * Reads the KB/s text of a bandwidth limit. `0` means no limit; anything that is not a
 * non-negative number (empty, letters, negative, too large) is an error — never silently 0,
 * which would quietly remove the limit.
 */
export function parseKbps(text: string): ParsedLimit {
  const t = text.trim();
  if (t === '') return { ok: false, error: 'Enter a number of KB/s (0 for no limit).' };
  if (!/^\d+(?:[.,]\d+)?$/.test(t))
    return { ok: false, error: 'Use a whole or decimal number of KB/s, like 256 (0 for no limit).' };
  const kb = Number(t.replace(',', '.'));
  if (kb > MAX_LIMIT_KBPS)
    return { ok: false, error: `At most ${MAX_LIMIT_KBPS.toLocaleString('en')} KB/s (0 for no limit).` };
  return { ok: true, bps: Math.round(kb * 1024) };
}
