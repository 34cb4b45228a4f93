/**
 * An exclusive lock held by one process for its life: the server's data-dir lock and the
 * engine's home lock. Node-only (better-sqlite3), so not exported from index.ts: the renderer
 * never loads it.
 *
 * The lock is an exclusive SQLite transaction held open on `lockFile`: SQLite takes an OS
 * record lock (fcntl on POSIX, LockFileEx on Windows) that the kernel drops when the process
 * dies, so a kill -9 never leaves a stale lock and a recycled pid cannot fake one (the weakness
 * of a pid file alone). SQLite also refuses a second holder in the same process. The holder's
 * pid goes to `pidFile`, trusted only while the lock is held. The lock file is never deleted: a
 * process could otherwise lock an unlinked inode while another locks the new file.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

/** A held lock. */
export interface ProcessLock {
  /** Removes the pid file (when it still names this process) and releases the lock. Idempotent. */
  release(): void;
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
 * Takes the lock, waiting up to `waitMs` (ms) for a short holder (a {@link lockHolder} probe).
 * Returns the lock, or `{ heldBy }` (the holder's pid, null when unknown) when another holds it.
 * The folder of `lockFile` must exist.
 * @throws the file system's error when the lock or pid file cannot be written
 */
export function takeProcessLock(lockFile: string, pidFile: string, waitMs = 0): { lock: ProcessLock } | { heldBy: number | null } {
  const db = new Database(lockFile, { timeout: waitMs });
  try {
    db.exec('BEGIN EXCLUSIVE');
    writeFileSync(pidFile, `${process.pid}\n`);
  } catch (err) {
    db.close(); // a full or read-only disk: the lock must not outlive the failed start
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    return { heldBy: readPid(pidFile) };
  }
  let released = false;
  return {
    lock: {
      release() {
        if (released) return;
        released = true;
        // Removed while the lock is still ours, and only when it names us: a pid file left by
        // anyone else (written without the lock) is not ours to delete.
        if (readPid(pidFile) === process.pid) rmSync(pidFile, { force: true });
        db.close();
      },
    },
  };
}

/**
 * The pid of the process holding the lock, `0` when it is held but the holder's pid is not
 * known yet (it writes it right after taking the lock), or null when nobody holds it.
 * Probes with a shared lock held for microseconds; never waits.
 */
export function lockHolder(lockFile: string, pidFile: string): number | null {
  let db: Database.Database;
  try {
    db = new Database(lockFile, { timeout: 0, fileMustExist: true });
  } catch {
    return null; // no lock file: never taken
  }
  try {
    db.exec('BEGIN; SELECT count(*) FROM sqlite_master; COMMIT');
    return null;
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    return readPid(pidFile) ?? 0;
  } finally {
    db.close();
  }
}
