/**
 * One engine per device home. Two engines on one home would each sweep the other's download
 * temp files at start, end the other's journal rows and write one state DB and one folder
 * from two plans. `control.json` cannot guard this: it is written after start-up, removed
 * during shut-down, and a recycled pid can make a stale one look alive.
 *
 * The lock is src-shared's process lock (the server's data-dir lock too) on
 * `<home>/engine.lock`, its holder's pid in `<home>/engine.pid` (D42).
 */
import path from 'node:path';
import { CairnError } from '../../src-shared/errors.ts';
import { lockHolder, takeProcessLock, type ProcessLock } from '../../src-shared/process-lock.ts';

/**
 * How long (ms) taking the lock waits for a short holder: {@link homeHolder}'s probe holds a
 * shared lock for microseconds and must not make a starting engine fail. A real engine holds
 * it for its whole life, far longer.
 */
const TAKE_WAIT_MS = 2_000;

/** A held home lock. */
export type HomeLock = ProcessLock;

function paths(home: string): { lock: string; pid: string } {
  return { lock: path.join(home, 'engine.lock'), pid: path.join(home, 'engine.pid') };
}

/**
 * Takes the lock of `home` (which must exist) for this process's engine.
 * @throws CairnError `unavailable` naming the holder's pid when another engine runs for the
 *   home (in this process or another).
 */
export function lockHome(home: string): HomeLock {
  const p = paths(home);
  const got = takeProcessLock(p.lock, p.pid, TAKE_WAIT_MS);
  if ('lock' in got) return got.lock;
  throw new CairnError('unavailable', `another Cairn engine runs for ${home} (pid ${got.heldBy ?? 'unknown'}); stop it first (cairn stop)`, { pid: got.heldBy });
}

/**
 * The pid of the engine holding `home`'s lock, `0` when it is held but the holder's pid is not
 * known yet, or null when no engine runs for the home. Never waits.
 */
export function homeHolder(home: string): number | null {
  const p = paths(home);
  return lockHolder(p.lock, p.pid);
}
