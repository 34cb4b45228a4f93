/**
 * One engine per device home. Two engines on one home would each sweep the other's download
 * temp files at start, end the other's journal rows and write one state DB and one folder
 * from two plans. `control.json` cannot guard this: it is written after start-up, removed
 * during shut-down, and a recycled pid can make a stale one look alive.
 *
 * The lock is the data-dir lock of the server (src-server/data-dir.ts) applied to a home: an
 * exclusive SQLite transaction held open on `<home>/engine.lock`. SQLite takes an OS record
 * lock (fcntl on POSIX, LockFileEx on Windows) that the kernel drops when the process dies, so
 * a kill -9 never leaves a stale lock, and SQLite also refuses a second holder in the same
 * process. The holder writes its pid to `<home>/engine.pid`, trusted only while the lock is
 * held. The lock file is never deleted: a process could otherwise lock an unlinked inode while
 * another locks the new file.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CairnError } from '../../src-shared/errors.ts';

/**
 * How long (ms) taking the lock waits for a short holder: {@link homeHolder}'s probe holds a
 * shared lock for microseconds and must not make a starting engine fail. A real engine holds
 * it for its whole life, far longer.
 */
const TAKE_WAIT_MS = 2_000;

/** A held home lock. */
export interface HomeLock {
  /** Removes `engine.pid` and releases the lock. Idempotent. */
  release(): void;
}

function paths(home: string): { lock: string; pid: string } {
  return { lock: path.join(home, 'engine.lock'), pid: path.join(home, 'engine.pid') };
}

function readPid(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock of `home` (which must exist) for this process's engine.
 * @throws CairnError `unavailable` naming the holder's pid when another engine runs for the
 *   home (in this process or another).
 */
export function lockHome(home: string): HomeLock {
  const p = paths(home);
  const db = new Database(p.lock, { timeout: TAKE_WAIT_MS });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    const pid = readPid(p.pid);
    throw new CairnError('unavailable', `another Cairn engine runs for ${home} (pid ${pid ?? 'unknown'}); stop it first (cairn stop)`, { pid });
  }
  try {
    writeFileSync(p.pid, `${process.pid}\n`);
  } catch (err) {
    db.close(); // a full or read-only disk: the lock must not outlive the failed start
    throw err;
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      // Only ours: a holder after us rewrites it before we could remove its copy.
      if (readPid(p.pid) === process.pid) rmSync(p.pid, { force: true });
      db.close();
    },
  };
}

/**
 * The pid of the engine holding `home`'s lock, `0` when it is held but the holder's pid is not
 * known yet (it writes it right after taking the lock), or null when no engine runs for the home.
 * Probes with a shared lock held for microseconds; never waits.
 */
export function homeHolder(home: string): number | null {
  const p = paths(home);
  let db: Database.Database;
  try {
    db = new Database(p.lock, { timeout: 0, fileMustExist: true });
  } catch {
    return null; // no lock file: no engine ever ran here
  }
  try {
    db.exec('BEGIN; SELECT count(*) FROM sqlite_master; COMMIT');
    return null;
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    return readPid(p.pid) ?? 0;
  } finally {
    db.close();
  }
}
