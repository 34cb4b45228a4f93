/**
 * Layout of a server data dir:
 *   <dir>/meta.sqlite (+ -wal, -shm)   metadata store
 *   <dir>/blocks/ab/cd/<hash>          block store; <dir>/blocks/tmp/ = uploads in flight
 *   <dir>/server.pid                   pid of the server running on this dir (if any)
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { LocalBlockStore } from './store/local-blocks.ts';
import { SqliteMetadataStore, type SqliteStoreOptions } from './store/sqlite/store.ts';

/** Paths inside a data dir. */
export function dataPaths(dir: string): { db: string; blocks: string; pid: string } {
  return { db: path.join(dir, 'meta.sqlite'), blocks: path.join(dir, 'blocks'), pid: path.join(dir, 'server.pid') };
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

/** Pid of a live server on `dir`, or null. */
export async function runningServerPid(dir: string): Promise<number | null> {
  const text = await fs.readFile(dataPaths(dir).pid, 'utf8').catch(() => null);
  const pid = Number(text);
  if (!text || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}
