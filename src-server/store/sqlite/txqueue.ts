/**
 * Group commit queue of the SQLite store: writes queued during one event-loop turn run in
 * ONE transaction (one WAL fsync), each in its own savepoint, so one refused write rolls back
 * alone and the others still commit. Every caller is answered only after the transaction is
 * durable (the classic group-commit trade: no extra latency when idle, throughput under load).
 *
 * The hard case is an error after which SQLite has already rolled back the WHOLE transaction
 * (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY, SQLITE_NOMEM may do that: https://sqlite.org/lang_transaction.html,
 * "Response To Errors Within A Transaction"). The savepoints of the items before it are gone
 * with it, and better-sqlite3 would run the items after it in their own autocommit
 * transactions. So after any failed item the queue checks `db.inTransaction`: when the group
 * is gone, the failed item is refused with its error and every other item of the group is
 * re-run in a fresh transaction (a bounded number of times, then refused with `unavailable`).
 * A caller therefore hears success only for a write that is in a committed transaction.
 *
 * Item functions may run more than once: they must only act on the database (the store's
 * closures are: tree/sharing/link mutations on their request data).
 */
import { CairnError } from '../../../src-shared/index.ts';
import type { Db } from './db.ts';

/** How many fresh transactions a group may be re-run in after SQLite rolled it back. */
const MAX_RERUNS = 2;

interface Item {
  fn: () => unknown;
  durable: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Thrown out of a group's body to abandon it: SQLite already rolled the transaction back. */
class GroupLost {
  readonly index: number;
  readonly error: unknown;
  constructor(index: number, error: unknown) {
    this.index = index;
    this.error = error;
  }
}

/**
 * The queue. `runGroup(body)` must run `body` in the outermost transaction and report the
 * journal advances once it committed (SqliteMetadataStore's `#write`).
 */
export class TxQueue {
  readonly #db: Db;
  readonly #runGroup: (body: () => void) => void;
  #queue: Item[] = [];
  #scheduled = false;

  constructor(db: Db, runGroup: (body: () => void) => void) {
    this.#db = db;
    this.#runGroup = runGroup;
  }

  /** Number of writes waiting for the next flush. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Queues `fn` for the next group; resolves with its result once the group committed.
   * `durable: false` (block records, `last_seen_at`): a group made only of such writes skips
   * the WAL fsync — the WAL is sequential, so the next FULL-synced commit makes it durable too.
   * Rejects with `fn`'s error (its savepoint rolled back alone), or with the group's error
   * when the transaction could not commit, or `unavailable` after {@link MAX_RERUNS} re-runs.
   */
  enqueue<T>(fn: () => T, durable = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, durable, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs every queued write now (also called by the store's close()). */
  flush(): void {
    this.#scheduled = false;
    let items = this.#queue.splice(0);
    for (let run = 0; items.length > 0; run++) items = this.#group(items, run < MAX_RERUNS);
  }

  /** Runs `items` in one transaction and settles them; returns those to re-run (rolled back by SQLite). */
  #group(items: Item[], mayRerun: boolean): Item[] {
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    const lazy = items.every((i) => !i.durable);
    if (lazy) this.#db.pragma('synchronous = NORMAL');
    try {
      this.#runGroup(() => {
        items.forEach((item, i) => {
          try {
            results.push({ ok: true, value: this.#db.transaction(item.fn)() });
          } catch (error) {
            // The savepoint rolled back alone unless SQLite dropped the whole transaction.
            if (!this.#db.inTransaction) throw new GroupLost(i, error);
            results.push({ ok: false, error });
          }
        });
      });
    } catch (error) {
      if (!(error instanceof GroupLost)) {
        // COMMIT itself failed (or the group could not start): nothing of it is durable.
        for (const item of items) item.reject(error);
        return [];
      }
      items[error.index]!.reject(error.error);
      const others = items.filter((_, i) => i !== error.index);
      if (mayRerun) return others;
      const gone = new CairnError('unavailable', 'the database could not commit this write; try again');
      for (const item of others) item.reject(gone);
      return [];
    } finally {
      if (lazy) this.#db.pragma('synchronous = FULL');
    }
    items.forEach((item, i) => {
      const r = results[i]!;
      if (r.ok) item.resolve(r.value);
      else item.reject(r.error);
    });
    return [];
  }
}
