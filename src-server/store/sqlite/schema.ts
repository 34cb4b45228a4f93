/**
 * Schema migrations of the SQLite metadata store, applied in order and recorded in
 * `schema_migrations`. The SQL is kept portable to PostgreSQL: TEXT/BIGINT/INTEGER types,
 * `ON CONFLICT … DO NOTHING`, partial indexes, `RETURNING`. Exceptions, to change in a port:
 * booleans are INTEGER 0/1; ordered text columns (path, path_key, name) need `COLLATE "C"`
 * in PostgreSQL to keep SQLite's byte order.
 */

/** Ordered list of migrations; index + 1 is the schema version. Never edit a shipped one. */
export const MIGRATIONS: readonly string[] = [
  `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  home_ns TEXT NOT NULL,
  quota_bytes BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX devices_account ON devices(account_id);
CREATE TABLE namespaces (
  id TEXT PRIMARY KEY,
  owner_account TEXT NOT NULL REFERENCES accounts(id),
  seq BIGINT NOT NULL DEFAULT 0,
  horizon_seq BIGINT NOT NULL DEFAULT 0,
  used_bytes BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX namespaces_owner ON namespaces(owner_account);
CREATE TABLE namespace_members (
  ns TEXT NOT NULL REFERENCES namespaces(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  mount_path TEXT NOT NULL,
  PRIMARY KEY (ns, account_id)
);
CREATE INDEX namespace_members_account ON namespace_members(account_id);
CREATE TABLE entries (
  id TEXT PRIMARY KEY,
  ns TEXT NOT NULL REFERENCES namespaces(id),
  path TEXT NOT NULL,
  path_key TEXT NOT NULL,
  parent_key TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
  rev TEXT,
  size BIGINT NOT NULL DEFAULT 0,
  mtime BIGINT NOT NULL,
  content_hash TEXT,
  executable INTEGER NOT NULL DEFAULT 0,
  portable INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at BIGINT,
  delete_root TEXT,
  seq BIGINT NOT NULL,
  server_time BIGINT NOT NULL,
  device_id TEXT
);
CREATE UNIQUE INDEX entries_live_key ON entries(ns, path_key) WHERE deleted = 0;
CREATE INDEX entries_live_path ON entries(ns, path) WHERE deleted = 0;
CREATE INDEX entries_children ON entries(ns, parent_key, name) WHERE deleted = 0;
CREATE INDEX entries_deleted_key ON entries(ns, path_key, deleted_at) WHERE deleted = 1;
CREATE INDEX entries_deleted_at ON entries(deleted_at) WHERE deleted = 1;
CREATE INDEX entries_delete_root ON entries(delete_root) WHERE deleted = 1;
CREATE TABLE revisions (
  rev TEXT PRIMARY KEY,
  entry_id TEXT NOT NULL REFERENCES entries(id),
  ns TEXT NOT NULL REFERENCES namespaces(id),
  path TEXT NOT NULL,
  size BIGINT NOT NULL,
  mtime BIGINT NOT NULL,
  content_hash TEXT NOT NULL,
  blocks TEXT NOT NULL,
  executable INTEGER NOT NULL,
  server_time BIGINT NOT NULL,
  device_id TEXT,
  seq BIGINT NOT NULL,
  superseded_at BIGINT
);
CREATE INDEX revisions_entry ON revisions(entry_id, seq);
CREATE INDEX revisions_superseded ON revisions(superseded_at) WHERE superseded_at IS NOT NULL;
CREATE TABLE blocks (
  hash TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  refcount BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  touched_at BIGINT NOT NULL
);
CREATE INDEX blocks_unreferenced ON blocks(touched_at) WHERE refcount = 0;
CREATE TABLE revision_blocks (
  rev TEXT NOT NULL REFERENCES revisions(rev),
  idx INTEGER NOT NULL,
  hash TEXT NOT NULL REFERENCES blocks(hash),
  PRIMARY KEY (rev, idx)
);
CREATE INDEX revision_blocks_hash ON revision_blocks(hash);
CREATE TABLE block_owners (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  hash TEXT NOT NULL REFERENCES blocks(hash),
  PRIMARY KEY (account_id, hash)
);
CREATE INDEX block_owners_hash ON block_owners(hash);
CREATE TABLE journal (
  ns TEXT NOT NULL REFERENCES namespaces(id),
  seq BIGINT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('put', 'mkdir', 'delete', 'move')),
  from_path TEXT,
  entry TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (ns, seq)
);
CREATE INDEX journal_created ON journal(created_at);
`,
  // v2: sharing. Mount points are home entries with `mount_ns`/`mount_role`; the journal gets
  // the `mount`/`unmount` ops and their `mount_*` columns (SQLite cannot alter a CHECK, so the
  // table is rebuilt); invitations are addressed by email; links keep only token hashes.
  `
ALTER TABLE entries ADD COLUMN mount_ns TEXT;
ALTER TABLE entries ADD COLUMN mount_role TEXT;
CREATE INDEX entries_mounts ON entries(ns, path_key) WHERE mount_ns IS NOT NULL AND deleted = 0;
CREATE INDEX entries_mount_ns ON entries(mount_ns) WHERE mount_ns IS NOT NULL;
CREATE TABLE journal_v2 (
  ns TEXT NOT NULL REFERENCES namespaces(id),
  seq BIGINT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('put', 'mkdir', 'delete', 'move', 'mount', 'unmount')),
  from_path TEXT,
  entry TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  mount_ns TEXT,
  mount_role TEXT,
  PRIMARY KEY (ns, seq)
);
INSERT INTO journal_v2 (ns, seq, op, from_path, entry, created_at)
  SELECT ns, seq, op, from_path, entry, created_at FROM journal;
DROP TABLE journal;
ALTER TABLE journal_v2 RENAME TO journal;
CREATE INDEX journal_created ON journal(created_at);
CREATE TABLE invitations (
  id TEXT PRIMARY KEY,
  ns TEXT NOT NULL REFERENCES namespaces(id),
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('editor', 'viewer')),
  inviter_account TEXT NOT NULL REFERENCES accounts(id),
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX invitations_ns_email ON invitations(ns, email);
CREATE INDEX invitations_email ON invitations(email);
CREATE TABLE links (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  entry_id TEXT NOT NULL,
  creator_account TEXT NOT NULL REFERENCES accounts(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  password_hash TEXT,
  revoked_at BIGINT
);
CREATE INDEX links_creator ON links(creator_account, created_at);
CREATE INDEX links_entry ON links(entry_id);
`,
];
