/**
 * Layout of a server data dir:
 *   <dir>/meta.sqlite (+ -wal, -shm)   metadata store
 *   <dir>/blocks/ab/cd/<hash>          block store; <dir>/blocks/tmp/ = uploads in flight
 *   <dir>/server.pid                   pid of the process holding the lock (if any)
 *   <dir>/server.lock                  the data-dir lock (never deleted: see src-shared/process-lock.ts)
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CairnError } from '../src-shared/index.ts';
import { takeProcessLock } from '../src-shared/process-lock.ts';
import { LocalBlockStore } from './store/local-blocks.ts';
import { SqliteMetadataStore, type SqliteStoreOptions } from './store/sqlite/store.ts';

/** Paths inside a data dir. */
export function dataPaths(dir: string): { db: string; blocks: string; pid: string; lock: string } {
  return {
    db: path.join(dir, 'meta.sqlite'),
    blocks: path.join(dir, 'blocks'),
    pid: path.join(dir, 'server.pid'),
    lock: path.join(dir, 'server.lock'),
  };
}

/** A held data-dir lock. */
export interface DataDirLock {
  /** Removes the pid file and releases the lock. Idempotent. */
  release(): Promise<void>;
}

/**
 * Takes the exclusive lock of a data dir for a server (or an offline `gc` / `verify --fix`)
 * and writes its pid to `server.pid`. Two servers on one dir would delete each other's
 * in-flight uploads (cleanTemp) and run GC and block locks that know nothing of each other.
 * The lock is src-shared's process lock (an OS record lock the kernel drops with the process,
 * so a kill -9 never leaves a stale lock; it also refuses a second server in the same process).
 * @throws CairnError `unavailable` naming the holder's pid when the dir is in use.
 */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  await fs.mkdir(dir, { recursive: true });
  const p = dataPaths(dir);
  const got = takeProcessLock(p.lock, p.pid);
  if ('heldBy' in got) {
    throw new CairnError(
      'unavailable',
      `the data dir ${dir} is in use by another Cairn server or maintenance command (pid ${got.heldBy ?? 'unknown'})`,
      { pid: got.heldBy },
    );
  }
  return {
    async release() {
      got.lock.release();
    },
  };
}

/** Opens (creating) the stores of a data dir. */
export async function openDataDir(
  dir: string,
  opts: SqliteStoreOptions = {},
): Promise<{ store: SqliteMetadataStore; blocks: LocalBlockStore }> {
  await fs.mkdir(dir, { recursive: true });
  const p = dataPaths(dir);
  const blocks = new LocalBlockStore(p.blocks);
  await blocks.init();
  return { store: new SqliteMetadataStore(p.db, opts), blocks };
}

/**
 * Pid of the process holding the data-dir lock (a running server), -1 when it is held but the
 * pid file is unreadable, or null when the dir is free. A snapshot: to keep a server from
 * starting meanwhile, hold {@link lockDataDir} instead.
 */
export async function runningServerPid(dir: string): Promise<number | null> {
  try {
    const lock = await lockDataDir(dir);
    await lock.release();
    return null;
  } catch (err) {
    if (!(err instanceof CairnError) || err.code !== 'unavailable') throw err;
    const pid = err.details?.pid;
    return typeof pid === 'number' ? pid : -1;
  }
}
