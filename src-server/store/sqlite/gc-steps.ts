/**
 * The metadata side of a GC pass cut into bounded steps. Each step does at most about
 * {@link GC_BATCH} rows of work and is meant to run as ONE write of the group-commit queue,
 * so a pass over 100k deleted files is ~100 short transactions with client writes (and the
 * rest of the event loop) running between them — not one transaction blocking the server
 * for seconds. Every step re-selects its work with the pass's cutoffs, so a concurrent write
 * (an undelete, a new reference to a block) is seen by the next step.
 *
 * Order within a pass: purge deleted entries (with their revisions), prune superseded
 * revisions, compact journals, then drop unreferenced blocks — pruning first frees the
 * references that make blocks unreferenced.
 */
import type { Sql } from './sql.ts';
import { dropBlockRefs } from './block-refs.ts';

/** Rows of work per step (entries, revisions, journal records or blocks). */
export const GC_BATCH = 1000;

/** What one step did; `more` = call it again. */
export interface GcStep {
  revisionsPruned: number;
  entriesPurged: number;
  journalRecordsCompacted: number;
  blocksDeleted: string[];
  more: boolean;
}

const none = (): GcStep => ({
  revisionsPruned: 0,
  entriesPurged: 0,
  journalRecordsCompacted: 0,
  blocksDeleted: [],
  more: false,
});

/** Bounded GC steps over one database; all times in ms since the epoch. */
export class GcSteps {
  readonly #sql: Sql;
  constructor(sql: Sql) {
    this.#sql = sql;
  }

  #dropRevision(rev: string): void {
    dropBlockRefs(this.#sql, rev);
    this.#sql.run('DELETE FROM revisions WHERE rev = ?', rev);
  }

  /** Purges entries deleted before `cutoff` with all their revisions. */
  purgeEntries(cutoff: number): GcStep {
    const r = none();
    let work = 0;
    const entries = this.#sql.all<{ id: string }>(
      'SELECT id FROM entries WHERE deleted = 1 AND deleted_at < ? LIMIT ?',
      cutoff,
      GC_BATCH,
    );
    for (const e of entries) {
      for (const rv of this.#sql.all<{ rev: string }>('SELECT rev FROM revisions WHERE entry_id = ?', e.id)) {
        this.#dropRevision(rv.rev);
        r.revisionsPruned++;
        work++;
      }
      this.#sql.run('DELETE FROM entries WHERE id = ?', e.id);
      r.entriesPurged++;
      // An entry may carry many revisions: stop at the budget, the rest is the next step's.
      if (++work >= GC_BATCH) break;
    }
    r.more = entries.length === GC_BATCH || work >= GC_BATCH;
    return r;
  }

  /** Prunes revisions superseded before `cutoff`. */
  pruneRevisions(cutoff: number): GcStep {
    const r = none();
    const revs = this.#sql.all<{ rev: string }>(
      'SELECT rev FROM revisions WHERE superseded_at IS NOT NULL AND superseded_at < ? LIMIT ?',
      cutoff,
      GC_BATCH,
    );
    for (const rv of revs) this.#dropRevision(rv.rev);
    r.revisionsPruned = revs.length;
    r.more = revs.length === GC_BATCH;
    return r;
  }

  /**
   * Deletes journal records created before `cutoff`, oldest first, at most GC_BATCH per
   * step, raising each namespace's horizon to the last deleted seq in the same transaction
   * (a cursor below the horizon is answered with a reset, never with a gap).
   */
  compactJournal(cutoff: number): GcStep {
    const r = none();
    let room = GC_BATCH;
    const spaces = this.#sql.all<{ ns: string; upto: number }>(
      'SELECT ns, MAX(seq) AS upto FROM journal WHERE created_at < ? GROUP BY ns',
      cutoff,
    );
    for (const n of spaces) {
      if (room === 0) {
        r.more = true;
        break;
      }
      const lowest = this.#sql.get<{ lo: number }>(
        'SELECT MIN(seq) AS lo FROM journal WHERE ns = ?',
        n.ns,
      )!.lo;
      const upto = Math.min(n.upto, lowest + room - 1);
      const deleted = this.#sql.run('DELETE FROM journal WHERE ns = ? AND seq <= ?', n.ns, upto);
      this.#sql.run(
        'UPDATE namespaces SET horizon_seq = ? WHERE id = ? AND horizon_seq < ?',
        upto,
        n.ns,
        upto,
      );
      r.journalRecordsCompacted += deleted;
      room -= Math.max(deleted, 1);
      if (upto < n.upto) r.more = true;
    }
    return r;
  }

  /** Deletes the metadata of blocks unreferenced and untouched since `touchedBefore`; returns their hashes. */
  dropBlocks(touchedBefore: number): GcStep {
    const r = none();
    const hashes = this.#sql.all<{ hash: string }>(
      'SELECT hash FROM blocks WHERE refcount = 0 AND touched_at < ? LIMIT ?',
      touchedBefore,
      GC_BATCH,
    );
    for (const b of hashes) {
      this.#sql.run('DELETE FROM block_owners WHERE hash = ?', b.hash);
      this.#sql.run('DELETE FROM blocks WHERE hash = ?', b.hash);
      r.blocksDeleted.push(b.hash);
    }
    r.more = hashes.length === GC_BATCH;
    return r;
  }
}
