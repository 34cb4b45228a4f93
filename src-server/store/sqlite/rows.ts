/**
 * Row shapes of the SQLite schema and their conversion to wire objects (src-shared model).
 * Pure functions, no I/O.
 */
import type { Entry, Revision, Role } from '../../../src-shared/index.ts';
import { randomBytes } from 'node:crypto';

/** An `entries` row joined with its current revision's block list and its device's name. */
export interface EntryRow {
  id: string;
  ns: string;
  path: string;
  path_key: string;
  parent_key: string;
  name: string;
  kind: 'file' | 'folder';
  rev: string | null;
  size: number;
  mtime: number;
  content_hash: string | null;
  executable: number;
  portable: number;
  deleted: number;
  deleted_at: number | null;
  delete_root: string | null;
  seq: number;
  server_time: number;
  device_id: string | null;
  /** Mount points only (home namespaces): the mounted shared namespace and the role in it. */
  mount_ns: string | null;
  mount_role: Role | null;
  rev_blocks: string | null;
  device_name: string | null;
}

/** A `revisions` row joined with its device's name. */
export interface RevisionRow {
  rev: string;
  entry_id: string;
  ns: string;
  path: string;
  size: number;
  mtime: number;
  content_hash: string;
  blocks: string;
  executable: number;
  server_time: number;
  device_id: string | null;
  seq: number;
  superseded_at: number | null;
  device_name: string | null;
}

/** SELECT prefix for entries (alias `e`) with what {@link toEntry} needs. */
export const ENTRY_SELECT =
  'SELECT e.*, r.blocks AS rev_blocks, d.name AS device_name FROM entries e ' +
  'LEFT JOIN revisions r ON r.rev = e.rev LEFT JOIN devices d ON d.id = e.device_id';

/** Wire Entry of a row. */
export function toEntry(r: EntryRow): Entry {
  return {
    ns: r.ns,
    id: r.id,
    path: r.path,
    kind: r.kind,
    rev: r.rev,
    size: r.size,
    mtime: r.mtime,
    content_hash: r.content_hash,
    blocks: r.rev_blocks ? (JSON.parse(r.rev_blocks) as string[]) : [],
    executable: r.executable === 1,
    deleted: r.deleted === 1,
    portable: r.portable === 1,
    seq: r.seq,
    server_time: r.server_time,
    device_id: r.device_id,
    device_name: r.device_name,
    ...(r.mount_ns !== null && r.mount_role !== null ? { mount: { ns: r.mount_ns, role: r.mount_role } } : {}),
  };
}

/** Wire Revision of a row; `current` = the entry points at it. */
export function toRevision(r: RevisionRow, current: boolean): Revision {
  return {
    rev: r.rev,
    path: r.path,
    size: r.size,
    mtime: r.mtime,
    content_hash: r.content_hash,
    blocks: JSON.parse(r.blocks) as string[],
    executable: r.executable === 1,
    server_time: r.server_time,
    device_id: r.device_id,
    device_name: r.device_name,
    current,
  };
}

/**
 * A fresh opaque id: 96 random bits, base64url (16 chars, matches the wire `Id` pattern), never
 * starting with `-`. Ids are typed as CLI arguments (`cairn share accept <id>`), where a leading
 * `-` reads as an option; 1 id in 64 would otherwise start with one. Redrawing (not remapping)
 * keeps every allowed id equally likely.
 */
export function newId(): string {
  for (;;) {
    const id = randomBytes(12).toString('base64url');
    if (id[0] !== '-') return id;
  }
}

/**
 * Key range `[lo, hi)` of every path strictly inside the folder with key `key`
 * (`key + "/"` … `key + "0"`, as `0` follows `/` in byte order). The root's range is all.
 */
export function subtreeRange(key: string): [string, string] {
  return key === '' ? ['', '\u{10FFFF}'] : [`${key}/`, `${key}0`];
}
