/**
 * Opens the SQLite database of a data dir and brings its schema up to date.
 *
 * Pragmas and why: WAL (readers never block the writer); `synchronous = FULL` so that a
 * commit acknowledged to a client is on disk even after a power cut (NORMAL would only
 * survive process crashes — kill -9 — and could lose the last transactions on power loss);
 * `foreign_keys = ON`; `busy_timeout` so that the admin CLI and a running server wait
 * for each other instead of failing.
 */
import Database from 'better-sqlite3';
import { MIGRATIONS } from './schema.ts';

/** A better-sqlite3 connection. */
export type Db = Database.Database;

/**
 * Opens (creating if needed) `file` and applies pending migrations in one transaction each.
 * @throws Error when the database is from a newer Cairn (unknown schema version).
 */
export function openDb(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > MIGRATIONS.length) {
    db.close();
    throw new Error(`database schema v${current} is newer than this server (v${MIGRATIONS.length})`);
  }
  for (let v = current + 1; v <= MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v - 1]!);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(v, Date.now());
    })();
  }
  return db;
}
