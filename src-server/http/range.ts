/**
 * HTTP Range parsing (RFC 9110 §14.1.2), single byte range only. Pure.
 */

/** A half-open byte range `[start, end)`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses a `Range` header against a representation of `size` bytes.
 * @returns null when there is no (usable) Range header — serve the whole file;
 *   `'unsatisfiable'` for a syntactically valid range outside the file (→ 416);
 *   else the range. Multi-range and non-`bytes` units are ignored (whole file), as RFC 9110 allows.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/u.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m as unknown as [string, string, string];
  if (a === '' && b === '') return null;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size };
  }
  const start = Number(a);
  if (start >= size) return 'unsatisfiable';
  const last = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (last < start) return null;
  return { start, end: last + 1 };
}
