/**
 * Schema of the state DB and its migrations (PRAGMA user_version = applied migrations).
 * Migrations are append-only: never edit one that has shipped; add the next.
 */
import type { Database } from 'better-sqlite3';
import { CairnError } from '../../../src-shared/errors.ts';

const tree = (name: string): string => `
  CREATE TABLE ${name} (
    path TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
    ns TEXT, id TEXT, rev TEXT, hash TEXT,
    size INTEGER NOT NULL DEFAULT 0,
    mtime REAL NOT NULL DEFAULT 0,
    inode INTEGER,
    executable INTEGER NOT NULL DEFAULT 0,
    blocks TEXT,
    device TEXT
  ) WITHOUT ROWID;`;

const MIGRATIONS: string[] = [
  `${tree('remote')}
   ${tree('local')}
   ${tree('synced')}
   CREATE INDEX remote_id ON remote (id);
   CREATE INDEX synced_id ON synced (id);
   CREATE INDEX local_inode ON local (inode);
   CREATE INDEX synced_inode ON synced (inode);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE ops (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, path TEXT NOT NULL,
                     payload TEXT NOT NULL, started_at INTEGER NOT NULL);
   CREATE TABLE block_index (hash TEXT NOT NULL, path TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL);
   CREATE INDEX block_index_hash ON block_index (hash);
   CREATE INDEX block_index_path ON block_index (path);
   CREATE TABLE activity (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, path TEXT NOT NULL,
                          action TEXT NOT NULL, device_name TEXT, detail TEXT);
   CREATE TABLE issues (path TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, action TEXT NOT NULL,
                        since INTEGER NOT NULL, PRIMARY KEY (path, code));`,
  // 2: ctime and hashed_at, so the scanner's fast path can tell a racily-clean file (D27).
  ['remote', 'local', 'synced'].map((t) => `ALTER TABLE ${t} ADD COLUMN ctime REAL; ALTER TABLE ${t} ADD COLUMN hashed_at REAL;`).join('\n'),
];

/** Number of migrations: the schema version a fully migrated DB has. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Applies the migrations `db` lacks, each in its own transaction.
 * @throws CairnError `internal` when the DB is newer than this code.
 */
export function migrate(db: Database): void {
  const have = db.pragma('user_version', { simple: true }) as number;
  if (have > SCHEMA_VERSION) {
    throw new CairnError('internal', `state DB schema ${have} is newer than this Cairn (${SCHEMA_VERSION})`);
  }
  for (let v = have; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
