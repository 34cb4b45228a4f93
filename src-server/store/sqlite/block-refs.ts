/**
 * Set-based block reference queries, so that the cost of a commit grows with its number of
 * distinct blocks and with a few statements per ~500 rows — not with one statement per block
 * (a hostile commit repeating one block 262,144 times used to cost ~800k statements).
 *
 * `IN (…)` lists are padded to a few fixed sizes (repeating the last hash, which changes
 * nothing) so the statement cache keeps a handful of statements instead of one per length.
 */
import type { Sql } from './sql.ts';

/** Sizes of `IN (…)` lists; the largest is the chunk size (well under SQLite's 32,766 parameters). */
const IN_SIZES = [1, 8, 64, 500] as const;
/** Rows per multi-row INSERT into revision_blocks (3 parameters each). */
const INSERT_ROWS = 200;

/** Splits `items` into chunks of at most the largest IN size, each padded to an IN size. */
function* inChunks(items: string[]): Generator<{ values: string[]; placeholders: string }> {
  const max = IN_SIZES[IN_SIZES.length - 1]!;
  for (let i = 0; i < items.length; i += max) {
    const chunk = items.slice(i, i + max);
    const n = IN_SIZES.find((s) => s >= chunk.length)!;
    while (chunk.length < n) chunk.push(chunk[chunk.length - 1]!);
    yield { values: chunk, placeholders: Array(n).fill('?').join(', ') };
  }
}

/**
 * Sizes (bytes) of the blocks among `hashes` that `accountId` has uploaded (proof of
 * possession, docs/decisions.md D9); hashes it does not own are absent from the map.
 */
export function ownedBlockSizes(sql: Sql, accountId: string, hashes: Iterable<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of inChunks([...new Set(hashes)])) {
    const rows = sql.all<{ hash: string; size: number }>(
      `SELECT b.hash, b.size FROM block_owners o JOIN blocks b ON b.hash = o.hash
       WHERE o.account_id = ? AND o.hash IN (${c.placeholders})`,
      accountId,
      ...c.values,
    );
    for (const r of rows) out.set(r.hash, r.size);
  }
  return out;
}

/**
 * Records the block list of revision `rev` (one `revision_blocks` row per position, in
 * multi-row INSERTs) and adds each distinct hash's number of uses to its refcount.
 */
export function addBlockRefs(sql: Sql, rev: string, blocks: string[]): void {
  const rowSql = (n: number) =>
    `INSERT INTO revision_blocks (rev, idx, hash) VALUES ${Array(n).fill('(?, ?, ?)').join(', ')}`;
  let idx = 0;
  for (; idx + INSERT_ROWS <= blocks.length; idx += INSERT_ROWS) {
    const params: unknown[] = [];
    for (let j = idx; j < idx + INSERT_ROWS; j++) params.push(rev, j, blocks[j]);
    sql.run(rowSql(INSERT_ROWS), ...params);
  }
  for (; idx < blocks.length; idx++) sql.run(rowSql(1), rev, idx, blocks[idx]);
  // One UPDATE per distinct hash. (A correlated `COUNT(*)` over revision_blocks would be
  // quadratic when the blocks are distinct: the per-hash subquery cannot use both indexes.)
  const uses = new Map<string, number>();
  for (const h of blocks) uses.set(h, (uses.get(h) ?? 0) + 1);
  for (const [hash, n] of uses) sql.run('UPDATE blocks SET refcount = refcount + ? WHERE hash = ?', n, hash);
}

/** Drops revision `rev`'s block list, taking each distinct hash's uses off its refcount (linear in the list). */
export function dropBlockRefs(sql: Sql, rev: string): void {
  const uses = sql.all<{ hash: string; n: number }>(
    'SELECT hash, COUNT(*) AS n FROM revision_blocks WHERE rev = ? GROUP BY hash',
    rev,
  );
  for (const u of uses) sql.run('UPDATE blocks SET refcount = refcount - ? WHERE hash = ?', u.n, u.hash);
  sql.run('DELETE FROM revision_blocks WHERE rev = ?', rev);
}
