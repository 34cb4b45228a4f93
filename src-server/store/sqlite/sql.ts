/**
 * Thin statement helper over a better-sqlite3 connection: prepared statements cached by SQL
 * text, positional `?` parameters (a PostgreSQL port rewrites them to `$n`).
 */
import type { Db } from './db.ts';
import type Database from 'better-sqlite3';

/** Cached-statement runner; `get`/`all` return plain row objects. */
export class Sql {
  readonly db: Db;
  readonly #cache = new Map<string, Database.Statement>();
  constructor(db: Db) {
    this.db = db;
  }
  #stmt(sql: string): Database.Statement {
    let s = this.#cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.#cache.set(sql, s);
    }
    return s;
  }
  /** First row or undefined. */
  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.#stmt(sql).get(...params) as T | undefined;
  }
  /** Every row, in the statement's order (all in memory: bound the query with LIMIT where it can grow). */
  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.#stmt(sql).all(...params) as T[];
  }
  /** Runs a write; returns the number of changed rows. */
  run(sql: string, ...params: unknown[]): number {
    return this.#stmt(sql).run(...params).changes;
  }
}
