/**
 * The sync engine facade: one {@link Engine} per home folder (= one device) keeps one local
 * folder in sync with the account's home namespace.
 *
 * Loop (docs/architecture.md §4): pull the server's journal into the remote tree → scan the
 * dirty local paths into the local tree → plan (pure) against the synced tree → guard
 * against mass deletes → execute → repeat until a round plans nothing. Triggers: watcher
 * hints, notify-WebSocket advances, timers (offline retry, periodic safety pulls), user
 * actions. Plain Node: never imports electron, control or cli.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CairnError } from '../../src-shared/errors.ts';
import { conflictedCopyPath, isInside, normalizePath, parentPath, pathKey } from '../../src-shared/paths.ts';
import type { ActivityItem, ConflictInfo, LocalEntry, Settings, Status, SyncIssue } from '../../src-shared/control.ts';
import type { Account, Device, Entry, Revision } from '../../src-shared/protocol/model.ts';
import { fileCredentialStore, link as linkAccount, type CredentialStore, type Credentials } from './account.ts';
import { lockHome, type HomeLock } from './home-lock.ts';
import { EarlyUpload, EARLY_UPLOADS_AT_ONCE } from './exec/block-upload.ts';
import { Executor, KEPT_META, keptFolders } from './exec/executor.ts';
import type { TreeNode } from './model.ts';
import { DEFAULT_MASS_DELETE, plan, type MassDeleteLimits, type Op } from './plan/planner.ts';
import { RemoteClient } from './remote/client.ts';
import { Notifier } from './remote/notify.ts';
import { detachedFolders, loadMounts, pull, putRemoteEntry, setDetached } from './remote/pull.ts';
import type { MountTable } from './mounts.ts';
import { SelectiveSync } from './selective.ts';
import { DeleteGuard } from './guard.ts';
import { Versions } from './versions.ts';
import { loadChunker, onChunkerNotice, type Chunker, type ChunkerNotice } from './scan/chunker.ts';
import { IGNORE_FILE, IgnoreRules } from './scan/ignore.ts';
import { SCAN_ISSUE_CODES, scan, type ScanOptions } from './scan/scanner.ts';
import { StateDb } from './state/db.ts';
import { LocalWatcher } from './watch/watcher.ts';

export { link, readCredentials, type Credentials } from './account.ts';
export type { TreeNode } from './model.ts';

/** Options of {@link Engine}. */
export interface EngineOptions {
  /** The device's home folder (state DB, credentials). Created if missing. */
  home: string;
  /** The sync root (absolute). Defaults to the folder stored by an earlier start. */
  folder?: string;
  /** Chunker (default: native-chunker). */
  chunker?: Chunker;
  /** Watch the folder with chokidar (default true). */
  watch?: boolean;
  /** Mass-delete thresholds (default 1000 files / 50 % and ≥ 10 files). */
  massDelete?: MassDeleteLimits;
  /** Transfers at once (default 8). */
  concurrency?: number;
  /** Safety pull interval while the notify socket is up (ms; default 60 000). */
  pollMs?: number;
  /**
   * Full rescan interval even while the watcher reports healthy (ms; default 3 600 000; 0 =
   * never). Watchers lose events in ways they cannot report (network filesystems, changes made
   * while a folder was being (re)watched); the rescan's fast path makes this cheap.
   */
  rescanMs?: number;
  /** Use the notify WebSocket (default true); without it the engine long-polls. */
  notify?: boolean;
  /** Where credentials are loaded and kept (default `<home>/device.json`; the desktop app's keeps the token in safeStorage). */
  credentials?: CredentialStore;
}

/** Device settings stored in the state DB. */
interface StoredSettings {
  upload_limit_bps: number;
  download_limit_bps: number;
  start_at_login: boolean;
}

const DEFAULT_SETTINGS: StoredSettings = { upload_limit_bps: 0, download_limit_bps: 0, start_at_login: false };
/** Local deletes wait until no watcher event came for this long (ms). */
const DELETE_QUIET_MS = 400;
/**
 * How long (ms) a stop lets ops already running finish before it closes the connections under
 * them: a small upload or a commit in flight completes; a large transfer is cut off.
 */
export const STOP_GRACE_MS = 2_000;

function opPath(op: Op): string {
  return 'path' in op ? op.path : op.to;
}

function isMove(op: Op): op is Extract<Op, { type: 'moveLocal' | 'moveRemote' }> {
  return op.type === 'moveLocal' || op.type === 'moveRemote';
}

/**
 * The sync engine of one device. Events: `status` (Status), `activity` (ActivityItem),
 * `cycle` ({ ops: number }) after each round.
 */
export class Engine extends EventEmitter {
  readonly home: string;
  readonly db: StateDb;
  private readonly opts: EngineOptions;
  private readonly versions: Versions;
  private readonly selective: SelectiveSync;
  private readonly guard: DeleteGuard;
  private readonly homeLock: HomeLock;
  private stopped: Promise<void> | null = null;
  /** Set by stop(): no start may follow. */
  private closed = false;
  private lifecycle: Promise<unknown> = Promise.resolve();
  private readonly credStore: CredentialStore;
  private creds: Credentials | null;
  private folder: string | null;
  private chunker: Chunker | null;
  private client: RemoteClient | null = null;
  private notifier: Notifier | null = null;
  private watcher: LocalWatcher | null = null;
  private ignoreRules = new IgnoreRules();
  private ignoreText = '';

  private started = false;
  /** Unsubscribes from the chunker's pool notices (set while started). */
  private unsubNotices: (() => void) | null = null;
  /** Start time: the first full scan removes `.cairn-tmp-*` files older than this (crash leftovers). */
  private sweepTempsBefore: number | null = null;
  private stopping = false;
  /** Early uploads by path (D40): running, or done and not yet waited for by the executor. */
  private readonly early = new Map<string, EarlyUpload>();
  /** Bytes sent by early uploads (also counted in the client's bytes up). */
  private earlyBytes = 0;
  private paused = false;
  private offline = false;
  private rootError: { code: string; message: string } | null = null;
  private syncing = false;
  private lastSyncedAt: number | null = null;

  private dirty = new Set<string>();
  private fullScan = true;
  private remoteDirty = true;
  private kick = false;
  private loopRunning: Promise<void> | null = null;
  private cyclesStarted = 0;
  private cyclesClean = 0;
  private lastPlanEmpty = false;
  private idleWaiters: Array<{ need: number; resolve: (ok: boolean) => void }> = [];
  private backoff = new Map<string, number>();
  /** Paths whose ops fail for reasons retrying will not fix soon (reported as issues). */
  private stuck = new Set<string>();
  private lastLocalEventAt = 0;
  private timers = new Set<NodeJS.Timeout>();
  private offlineAttempt = 0;
  private pending = { uploads: 0, downloads: 0, other: 0, bytes: 0 };
  private progress = { done: 0, total: 0, startedAt: 0 };
  private statusTimer: NodeJS.Timeout | null = null;

  constructor(opts: EngineOptions) {
    super();
    this.opts = opts;
    this.home = path.resolve(opts.home);
    mkdirSync(this.home, { recursive: true, mode: 0o700 });
    // Before anything reads or writes the home: one engine per home (home-lock.ts).
    this.homeLock = lockHome(this.home);
    let db: StateDb | null = null;
    try {
      // Credentials first: a store that refuses (token_in_keychain) must not leave the DB open.
      this.credStore = opts.credentials ?? fileCredentialStore(this.home);
      this.creds = this.credStore.load();
      this.db = db = new StateDb(path.join(this.home, 'state.db'));
      this.chunker = opts.chunker ?? null;
      this.folder = opts.folder ? path.resolve(opts.folder) : this.db.getMeta<string | null>('folder', null);
      this.checkIdentity();
    } catch (err) {
      // A refused engine leaves the home as it found it: neither the DB nor the lock held.
      db?.close();
      this.homeLock.release();
      throw err;
    }
    const log = (p: string, action: string, detail: string | null = null): void => this.log(p, action, detail);
    const wake = (what: { paths?: string[]; full?: boolean; remote?: boolean }): void => this.wake(what);
    this.versions = new Versions({ db: this.db, folder: () => this.folder, client: () => this.requireClient(), mounts: () => this.mounts(), log, wake });
    this.selective = new SelectiveSync({ db: this.db, log, wake });
    this.guard = new DeleteGuard(opts.massDelete);
  }

  /** Resets what the DB knows when the account, server or folder differ from last time. */
  private checkIdentity(): void {
    const id = this.creds ? `${this.creds.server}|${this.creds.account_id}|${this.creds.home_ns}` : null;
    const prevId = this.db.getMeta<string | null>('identity', null);
    const prevFolder = this.db.getMeta<string | null>('folder', null);
    const db = this.db;
    db.tx(() => {
      if (id && prevId !== id) {
        // Another account or server: what we knew of the remote side and the merge base is void.
        for (const t of ['remote', 'synced'] as const) db.removeSubtree(t, '');
        db.setMeta('cursor', undefined);
        db.setMeta('ns_seq', undefined);
        db.setMeta('identity', id);
      }
      if (this.folder && prevFolder !== this.folder) {
        // A different folder: merge it like a first sync (never read it as deletions).
        db.removeSubtree('local', '');
        db.removeSubtree('synced', '');
        db.db.prepare('DELETE FROM block_index').run();
        db.setMeta('folder', this.folder);
        db.setMeta('root_ino', undefined);
      }
    });
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /** Device credentials, or null before signup/login. */
  get credentials(): Credentials | null {
    return this.creds;
  }

  /** The sync root, or null before one is chosen. */
  get root(): string | null {
    return this.folder;
  }

  /**
   * Starts syncing (when linked and a folder is set; otherwise stays in `setup`).
   * Cleans what a crash left (temp files of interrupted downloads) first.
   */
  start(): Promise<void> {
    return this.serial(() => this.startNow());
  }

  /**
   * Runs lifecycle transitions (start, restart on link/logout, stop) one after another: a stop
   * that overlapped a restart could otherwise close the DB and release the home lock under a
   * start that then sets up a watcher, a notifier and timers on a closed engine. Not
   * re-entrant: a transition must never call start, stop or a restart (it would wait on itself).
   */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lifecycle.then(fn);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }

  private async startNow(): Promise<void> {
    if (this.closed) throw new CairnError('unavailable', 'this engine was stopped');
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.chunker ??= await loadChunker();
    this.unsubNotices ??= await onChunkerNotice((n) => this.chunkerNotice(n));
    this.sweepTempsBefore = Date.now();
    for (const op of this.db.opsPending()) {
      const tmp = (op.payload as { tmp?: string } | null)?.tmp;
      if (tmp && path.basename(tmp).startsWith('.cairn-tmp-')) await rm(tmp, { force: true });
      this.db.opEnd(op.id);
    }
    const s = this.db.getMeta<StoredSettings>('settings', DEFAULT_SETTINGS);
    if (this.creds && this.folder) {
      this.client = new RemoteClient({ server: this.creds.server, token: this.creds.token });
      this.client.upload.setRate(s.upload_limit_bps);
      this.client.download.setRate(s.download_limit_bps);
      mkdirSync(this.folder, { recursive: true });
      if (this.db.getMeta('root_ino', null) === null) this.db.setMeta('root_ino', (await lstat(this.folder)).ino);
      this.notifier = new Notifier(this.creds.server, this.creds.token);
      this.notifier.on('advance', () => this.wake({ remote: true }));
      this.notifier.on('up', () => {
        this.offlineAttempt = 0;
        this.wake({ remote: true });
      });
      this.notifier.on('down', () => this.later(2000, () => void this.longPoll()));
      if (this.opts.notify === false) this.later(0, () => void this.longPoll());
      else this.notifier.start();
      if (this.opts.watch !== false) {
        this.watcher = new LocalWatcher(this.folder, {
          onDirty: (paths) => this.wake({ paths }),
          onOverflow: () => this.wake({ full: true }),
        });
        try {
          await this.watcher.start();
        } catch {
          this.watcher = null;
        }
      }
      this.every(this.opts.pollMs ?? 60_000, () => this.wake({ remote: true, full: this.watcher?.degraded ?? false }));
      const rescanMs = this.opts.rescanMs ?? 3_600_000;
      if (rescanMs > 0) this.every(rescanMs, () => this.wake({ full: true }));
      this.wake({ full: true, remote: true });
    }
    this.emitStatus();
  }

  /**
   * Stops syncing, closes the DB and releases the home lock. Ops already running get
   * {@link STOP_GRACE_MS} to finish; transfers still running then are cut off, which is safe:
   * a download removes its temp file, nothing is committed half, the op's journal row is
   * ended, and the next round plans the op again. A scan under way ends at its next folder or
   * file, and nothing of it is stored.
   */
  stop(): Promise<void> {
    // Idempotent: the served engine's close() stops it, and its owner may too. A start or a
    // restart under way finishes first (serial); none begins after.
    this.closed = true;
    this.stopped ??= this.serial(() => this.close());
    return this.stopped;
  }

  private async close(): Promise<void> {
    await this.halt();
    for (const w of this.idleWaiters) w.resolve(false);
    this.idleWaiters = [];
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.unsubNotices?.();
    this.unsubNotices = null;
    this.db.close();
    this.homeLock.release();
  }

  /**
   * Ends the sync loop: no new round or op starts; ops already running get
   * {@link STOP_GRACE_MS}, then the server connections are closed under what still runs (a
   * large transfer on a slow link would otherwise hold a stop for minutes).
   */
  private async halt(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.notifier?.close();
    this.notifier = null;
    await this.watcher?.close();
    this.watcher = null;
    const running = this.loopRunning;
    if (running) {
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((r) => (grace = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(grace);
    }
    await this.client?.close();
    this.client = null;
    await running;
    this.started = false;
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.add(t);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /** Asks the loop to run (with local dirty paths, a full rescan, or a remote pull). */
  wake(what: { paths?: string[]; full?: boolean; remote?: boolean } = {}): void {
    for (const p of what.paths ?? []) this.dirty.add(p);
    if (what.paths?.length) this.lastLocalEventAt = Date.now();
    if (what.full) this.fullScan = true;
    if (what.remote) this.remoteDirty = true;
    this.kick = true;
    if (!this.loopRunning && this.started && !this.stopping) {
      this.loopRunning = this.loop().finally(() => {
        this.loopRunning = null;
        if (this.kick && !this.stopping) this.wake();
      });
    }
  }

  private busyCycles = 0;
  private async loop(): Promise<void> {
    while (this.kick && !this.stopping) {
      this.kick = false;
      // A long run of rounds that keep finding work slows down instead of spinning: whatever
      // keeps re-planning (a file rewritten non-stop, a server refusing) must not burn a core.
      if (this.busyCycles > 50) await new Promise((r) => setTimeout(r, Math.min(2000, 20 * (this.busyCycles - 50))));
      const n = ++this.cyclesStarted;
      let clean = false;
      try {
        clean = await this.cycle();
      } catch (e) {
        // While stopping, a failure is the closed connections (halt), not worth a log line.
        if (!this.stopping) {
          this.log('', 'error', e instanceof Error ? e.message : String(e));
          this.later(2000, () => this.wake({ full: true, remote: true }));
        }
      }
      this.busyCycles = clean ? 0 : this.busyCycles + 1;
      if (clean && !this.kick) {
        this.cyclesClean = n;
        this.lastSyncedAt = Date.now();
        for (const w of [...this.idleWaiters]) {
          if (n >= w.need) {
            w.resolve(true);
            this.idleWaiters.splice(this.idleWaiters.indexOf(w), 1);
          }
        }
      }
      this.emitStatus();
    }
  }

  /** One round. Returns true when it ended in sync (nothing to do, nothing held). */
  private async cycle(): Promise<boolean> {
    if (this.paused || !this.creds || !this.folder || !this.client || !this.chunker) return false;
    const client = this.client;
    // 1. Remote side.
    if (this.remoteDirty) {
      this.remoteDirty = false;
      try {
        await pull(client, this.db, this.creds.home_ns);
        if (this.offline) this.notifier?.kick();
        this.offline = false;
        this.offlineAttempt = 0;
      } catch (e) {
        if (e instanceof CairnError && (e.code === 'offline' || e.code === 'unavailable')) {
          this.goOffline();
        } else if (e instanceof CairnError && e.code === 'cursor_invalid') {
          // The server no longer understands our cursor: start over from a snapshot.
          this.db.tx(() => {
            this.db.setMeta('cursor', undefined);
            this.db.setMeta('ns_seq', undefined);
          });
          this.remoteDirty = true;
          this.kick = true;
          return false;
        } else if (e instanceof CairnError && e.code === 'unauthorized') {
          this.rootError = { code: 'unauthorized', message: 'This device was revoked or logged out. Log in again.' };
          return false;
        } else throw e;
      }
    }
    // 2. Local side.
    this.loadIgnore();
    const scopes = this.fullScan ? [''] : this.collapse([...this.dirty]);
    this.fullScan = false;
    this.dirty.clear();
    if (scopes.length > 0) {
      const ok = await this.scanInto(scopes);
      if (!ok) return false;
      const collisions = this.db.issues().filter((i) => i.code === 'path_case_collision');
      if (collisions.length > 0) {
        for (const c of collisions) await this.renameCaseCollision(c.path);
        this.kick = true;
        return false;
      }
    }
    if (this.offline) return false;
    if (this.rootError) {
      this.rootError = null;
      this.emitStatus();
    }
    // 3. Plan.
    // Exclusions follow their folders (moved or renamed here, elsewhere, or with a mount point).
    this.selective.follow();
    const trees = this.db.changedTrees(this.excludeList());
    const isExcluded = this.excludedMatcher();
    // Shared folders are synced through the mount table; a folder whose share this account
    // lost is kept on disk as it is, no longer synced, and reported until moved or deleted.
    const mounts = loadMounts(this.db, this.creds.home_ns);
    const detached = await this.settleDetached();
    const kept = new Set(this.settleKept(isExcluded, detached));
    let heldHere: Array<{ path: string; reason: 'read_only' | 'nested_share' }> = [];
    const now = Date.now();
    // Moves are planned alone (the rest is planned on the moved trees), so a move waiting out
    // a back-off would hold every other change back: its paths are left out and the rest is
    // planned again, until no planned move is waiting.
    const waitingMoves: Op[] = [];
    const movePaths: string[] = [];
    const planRound = (): Op[] => {
      heldHere = [];
      return plan(trees, {
        isIgnored: (p, f) => this.ignoreRules.isIgnored(p, f) || detached.some((m) => isInside(p, m)) || kept.has(p),
        isExcluded,
        nsOf: (p) => mounts.nsOf(p),
        isReadOnly: (p) => mounts.isReadOnly(p),
        hasMount: (p) => mounts.mountsUnder(p).length > 0,
        onHeld: (p, reason) => heldHere.push({ path: p, reason }),
        deferred: (p) => movePaths.some((m) => isInside(p, m)),
      });
    };
    let ops = planRound();
    for (let k = 0; k < 50; k++) {
      const waiting = ops.filter((o) => isMove(o) && (this.backoff.get(opPath(o)) ?? 0) > now);
      if (waiting.length === 0) break;
      for (const o of waiting) if (isMove(o)) movePaths.push(o.from, o.to);
      waitingMoves.push(...waiting);
      ops = planRound();
    }
    this.forgetRefusedMoves([...waitingMoves, ...ops]);
    this.reportHeld(heldHere);
    const deferred = [...waitingMoves, ...ops.filter((o) => (this.backoff.get(opPath(o)) ?? 0) > now)];
    ops = ops.filter((o) => (this.backoff.get(opPath(o)) ?? 0) <= now);
    // 4. Mass-delete guard.
    ops = this.markMoved(ops);
    // Deleting a shared folder's local copy leaves it (owner: unshares it): always asked first.
    const guarded = this.guard.apply(ops, this.db.count('synced', true), this.db.count('local'), now, (o) => o.type === 'deleteRemote' && mounts.mountsUnder(o.path).length > 0);
    ops = guarded.ops;
    const held = this.guard.held;
    if (held && guarded.changed) this.log('', 'held', `${held.count} ${held.side === 'remote' ? 'server' : 'local'} deletes wait for confirmation`);
    const isConfirmed = (o: Op): boolean => this.guard.isConfirmed(o);
    // Local deletes are carried to the server only once the folder is quiet for a moment, so
    // the guard sees a whole `rm -r` at once rather than its first burst.
    const quietFor = Date.now() - this.lastLocalEventAt;
    let waitingQuiet = false;
    if (quietFor < DELETE_QUIET_MS && ops.some((o) => o.type === 'deleteRemote' && !isConfirmed(o))) {
      ops = ops.filter((o) => o.type !== 'deleteRemote' || isConfirmed(o));
      waitingQuiet = true;
      this.later(DELETE_QUIET_MS - quietFor + 10, () => this.wake());
    }
    this.setPending(ops);
    const blocking = deferred.filter((o) => !this.stuck.has(opPath(o)));
    if (ops.length === 0) {
      this.lastPlanEmpty = true;
      this.guard.idle();
      if (deferred.length > 0) this.later(Math.max(50, Math.min(...deferred.map((o) => (this.backoff.get(opPath(o)) ?? 0) - now))), () => this.wake({ remote: true }));
      this.syncing = false;
      return this.guard.held === null && blocking.length === 0 && !waitingQuiet && !this.offline;
    }
    this.lastPlanEmpty = false;
    // 5. Execute.
    this.syncing = true;
    this.emitStatus();
    const exec = new Executor({
      db: this.db,
      client,
      chunker: this.chunker,
      root: this.folder,
      homeNs: this.creds.home_ns,
      deviceName: this.creds.device_name,
      // Kept copies of lost shares count as ignored for deletes: never removed with a folder.
      ignore: () => ({ isIgnored: (p: string, f: boolean) => this.ignoreRules.isIgnored(p, f) || detached.some((m) => isInside(p, m)) }),
      log: (p, action, detail, device) => this.log(p, action, detail ?? null, device ?? null),
      progress: (bytes) => {
        this.progress.done += bytes;
        this.emitStatusSoon();
      },
      earlyUpload: (rel) => {
        const e = this.early.get(rel);
        this.early.delete(rel);
        return e;
      },
      concurrency: this.opts.concurrency ?? 8,
    });
    const res = await exec.run(ops, () => this.stopping || this.paused, () => this.stopping);
    for (const f of res.failed) {
      const p = opPath(f.op);
      const code = f.error.code;
      // A local folder whose name differs only in case from a shared folder's mount point this
      // device does not see (excluded): the server refuses writes there for good, so it is a
      // name collision like any other (chaos, seed 910040) — ours is set aside.
      const mountClash =
        code === 'mount_point' && (f.op.type === 'upload' || f.op.type === 'mkdirRemote' || f.op.type === 'moveRemote')
          ? mountCaseCollision(f.op.type === 'moveRemote' ? f.op.to : f.op.path, f.error.details?.mount_path_key, loadMounts(this.db, this.creds.home_ns))
          : null;
      if (mountClash !== null) {
        await this.renameCaseCollision(mountClash);
        this.remoteDirty = true;
      } else if (['conflict', 'path_exists', 'not_found', 'block_missing', 'move_into_self', 'mount_point', 'forbidden'].includes(code)) {
        this.remoteDirty = true; // the server moved on: pull, then re-plan
        this.dirty.add(p);
        const tries = (this.backoff.get(`#${p}`) ?? 0) + 1;
        this.backoff.set(`#${p}`, tries);
        if (tries > 3) this.backoff.set(p, Date.now() + Math.min(60_000, 500 * 2 ** tries));
        // A move the server keeps refusing after pulls: reported, and it no longer keeps the
        // engine from being idle (it is retried after its back-off; the rest syncs meanwhile).
        if (tries > 3 && isMove(f.op)) this.refuseMove(f.op, f.error);
      } else if (code === 'path_case_collision' && (f.op.type === 'upload' || f.op.type === 'mkdirRemote' || f.op.type === 'moveRemote')) {
        // The server holds another entry whose name differs only in case: set ours aside (the
        // folder, when it is a folder of ours whose case differs from the server's).
        await this.renameCaseCollision(collidingPart(f.op.type === 'moveRemote' ? f.op.to : f.op.path, f.error.details?.existing));
        this.remoteDirty = true;
      } else if (code === 'changed_during_read') {
        this.dirty.add(p);
        this.backoff.set(p, Date.now() + 1000);
        this.db.setIssue({ path: p, code, message: f.error.message, action: 'Cairn retries once the file stops changing.' });
      } else if (isMove(f.op)) {
        this.backoff.set(p, Date.now() + 30_000);
        this.refuseMove(f.op, f.error);
      } else {
        this.stuck.add(p);
        this.backoff.set(p, Date.now() + 30_000);
        this.db.setIssue({ path: p, code, message: f.error.message, action: 'Cairn retries later.' });
        this.log(p, 'error', `${code}: ${f.error.message}`);
      }
    }
    // Skipped ops (the round was paused or stopped) were not carried out: not executed for the
    // guard, and their issues stay until an op really settles them.
    const notDone = new Set([...res.failed.map((f) => f.op), ...res.skipped]);
    this.guard.executed(ops.filter((o) => !notDone.has(o)));
    const issueAt = new Map<string, string[]>();
    for (const i of this.db.issues()) issueAt.set(i.path, [...(issueAt.get(i.path) ?? []), i.code]);
    for (const op of ops) {
      if (!notDone.has(op)) {
        this.stuck.delete(opPath(op));
        this.backoff.delete(`#${opPath(op)}`);
        // A folder kept for its ignored items stays reported while kept (settleKept clears it).
        for (const c of issueAt.get(opPath(op)) ?? []) {
          if (c !== 'kept_ignored' && (c === 'changed_during_read' || !(SCAN_ISSUE_CODES as readonly string[]).includes(c))) this.db.clearIssue(opPath(op), c);
        }
      }
    }
    if (res.offline) this.goOffline();
    this.syncing = false;
    this.progress = { done: 0, total: 0, startedAt: 0 };
    if (!res.offline) this.kick = true; // re-plan: the world moved under the plan
    return false;
  }

  /**
   * Marks the files of deletes whose content is safe elsewhere on the server (`moved`), which
   * the mass-delete guard does not count: a move into or out of a shared folder is an upload at
   * the target plus a delete at the source (D28), so moving a big folder there must not read as
   * a mass delete — neither on this device (source files whose inode the merge base also holds
   * at the target, i.e. committed there) nor on the others (deleted files whose content arrived
   * at another path of the remote tree).
   */
  private markMoved(ops: Op[]): Op[] {
    const dels = ops.filter((o) => o.type === 'deleteRemote' || (o.type === 'deleteLocal' && o.reason === 'remote'));
    if (dels.reduce((n, o) => n + (o.type === 'deleteRemote' || o.type === 'deleteLocal' ? o.files : 0), 0) < this.guardMin()) return ops;
    const localHashes = new Set<string>();
    for (const o of dels) if (o.type === 'deleteLocal' && o.expect.kind === 'file' && o.expect.hash) localHashes.add(o.expect.hash);
    const onServer = this.db.remoteHasContent(localHashes);
    return ops.map((o) => {
      if (o.type === 'deleteRemote') {
        const moved = this.db.movedOut(o.path);
        return moved > 0 ? { ...o, moved: Math.min(moved, o.files) } : o;
      }
      if (o.type === 'deleteLocal' && o.reason === 'remote' && o.expect.kind === 'file' && o.expect.hash && onServer.has(o.expect.hash)) return { ...o, moved: o.files };
      return o;
    });
  }

  /** Fewest files a round's deletes need before the guard could hold them (below: not worth marking). */
  private guardMin(): number {
    const l = this.opts.massDelete ?? DEFAULT_MASS_DELETE;
    return Math.min(l.min, l.max + 1);
  }

  /** Moves the server refused, by engine op path (the target): reported while planned. */
  private refusedMoves = new Map<string, { from: string; to: string }>();

  /**
   * Reports a move the server refuses (an issue at its target, activity line) and lets it wait
   * on its own: it no longer counts as pending work for `waitIdle`; other changes proceed.
   */
  private refuseMove(op: Extract<Op, { type: 'moveLocal' | 'moveRemote' }>, err: CairnError): void {
    this.stuck.add(op.to);
    this.refusedMoves.set(op.to, { from: op.from, to: op.to });
    const where = op.type === 'moveRemote' ? 'The server refused to move' : 'Could not move';
    this.db.setIssue({
      path: op.to,
      code: err.code,
      message: `${where} ${op.from} to ${op.to}: ${err.message}`,
      action: 'Cairn retries later; your other changes keep syncing. Moving it elsewhere settles it now.',
    });
    this.log(op.to, 'error', `move from ${op.from} refused: ${err.code}: ${err.message}`);
  }

  /** Refused moves no longer planned (the user or the server settled them): forgotten and unreported. */
  private forgetRefusedMoves(planned: readonly Op[]): void {
    for (const [to, m] of this.refusedMoves) {
      if (planned.some((o) => isMove(o) && o.from === m.from && o.to === to)) continue;
      this.refusedMoves.delete(to);
      this.stuck.delete(to);
      this.backoff.delete(to);
      this.backoff.delete(`#${to}`);
      for (const i of this.db.issues()) if (i.path === to && !(SCAN_ISSUE_CODES as readonly string[]).includes(i.code)) this.db.clearIssue(to, i.code);
    }
  }

  /**
   * Long-poll fallback while the notify WebSocket is down but the server answers HTTP (a proxy
   * that drops WebSockets): `changes/wait` from the stored cursor, then pull.
   */
  private longPolling = false;
  private async longPoll(): Promise<void> {
    if (this.longPolling) return;
    this.longPolling = true;
    try {
      while (!this.stopping && this.started && this.client && !this.notifier?.connected) {
        const cursor = this.db.getMeta<string | null>('cursor', null);
        if (!cursor || this.offline) {
          await nap(1000);
          continue;
        }
        try {
          const r = await this.client.call('waitChanges', { query: { cursor, timeout_ms: 25_000 } });
          if (r.changes) {
            this.wake({ remote: true });
            await this.loopRunning;
          }
        } catch {
          await nap(2000);
        }
      }
    } finally {
      this.longPolling = false;
    }
  }

  /**
   * A local item whose name collides ignoring case with another one (locally or on the
   * server) cannot be synced as is: it is renamed to a conflicted-copy name (like Dropbox's
   * "(Case Conflict)"), which then syncs. Nothing is dropped.
   */
  private async renameCaseCollision(rel: string): Promise<void> {
    if (await this.renameAside(rel, 'the name collided with another one ignoring case')) this.db.clearIssue(rel, 'path_case_collision');
  }

  /**
   * Renames the local item at `rel` to a free conflicted-copy name (local tree and block index
   * follow). Returns the new path, or null when it was gone meanwhile (the next scan sees it).
   */
  private async renameAside(rel: string, why: string): Promise<string | null> {
    const root = this.folder as string;
    const taken = (p: string): boolean => {
      const k = pathKey(p);
      const sib = (tree: 'local' | 'remote'): boolean => this.db.subtree(tree, parentPath(p)).some((n) => parentPath(n.path) === parentPath(p) && pathKey(n.path) === k);
      return sib('local') || sib('remote') || existsSync(path.join(root, p));
    };
    let copy = '';
    for (let n = 1; n < 1000; n++) {
      copy = conflictedCopyPath(rel, this.creds?.device_name ?? 'this device', new Date(), n);
      if (!taken(copy)) break;
    }
    // Inodes forgotten before the rename (crash window: see Executor.aside).
    this.db.clearInodes('synced', rel);
    try {
      await rename(path.join(root, rel), path.join(root, copy));
    } catch {
      return null; // gone meanwhile: the next scan sees it
    }
    this.db.tx(() => {
      this.db.moveSubtree('local', rel, copy);
      this.db.moveBlocks(rel, copy);
    });
    this.dirty.add(parentPath(rel));
    this.log(copy, 'conflict', `renamed from ${rel}: ${why}`);
    return copy;
  }

  private goOffline(): void {
    // While stopping, failed requests are the connections stop() closed, not the network.
    if (this.stopping) return;
    if (!this.offline) this.log('', 'offline', 'server unreachable; changes are queued');
    this.offline = true;
    const delay = Math.min(30_000, 500 * 2 ** this.offlineAttempt++);
    this.later(delay, () => this.wake({ remote: true }));
  }

  /** Drops paths covered by another dirty path (a dirty folder rescans its subtree). */
  private collapse(paths: string[]): string[] {
    const sorted = [...new Set(paths)].sort();
    const out: string[] = [];
    for (const p of sorted) {
      if (p === '') return [''];
      if (!out.some((q) => isInside(p, q))) out.push(p);
    }
    // A new path's parents may be unknown to the local tree: scan from the first known one.
    return out.map((p) => {
      let q = parentPath(p);
      let top = p;
      while (q !== '' && !this.db.get('local', q)) {
        top = q;
        q = parentPath(q);
      }
      return top;
    });
  }

  /**
   * The scanner's early upload (D40) while it can help: online and not paused, at most
   * {@link EARLY_UPLOADS_AT_ONCE} files at a time, and never for what is not uploaded anyway —
   * folders this account may only view, kept copies of shares it lost, shared folders the
   * planner holds where they were moved (`nested_share`, as of the last plan). Each sink is kept
   * by path until the executor's upload of that path has waited for it, or the next scan.
   */
  private earlyUploads(): ScanOptions['earlyUpload'] {
    for (const [rel, e] of this.early) if (e.done) this.early.delete(rel);
    const client = this.client;
    if (!client || this.paused || this.offline) return undefined;
    const mounts = this.mounts();
    const notUploaded = [...detachedFolders(this.db).map((d) => d.path), ...this.db.issues().filter((i) => i.code === 'nested_share').map((i) => i.path)];
    const stopped = (): boolean => this.paused || this.stopping || this.offline;
    return (rel, abs) => {
      if (mounts.isReadOnly(rel) || notUploaded.some((d) => isInside(rel, d))) return null;
      if ([...this.early.values()].filter((e) => !e.done).length >= EARLY_UPLOADS_AT_ONCE) return null;
      const sink = new EarlyUpload(client, abs, { stopped });
      this.early.set(rel, sink);
      void sink.settled.then(() => (this.earlyBytes += sink.sent));
      return sink;
    };
  }

  /** Scans `scopes` and writes the result to the local tree. False when the root is gone. */
  private async scanInto(scopes: string[]): Promise<boolean> {
    const root = this.folder as string;
    const res = await scan({
      root,
      scopes,
      prev: (p) => this.db.getLite('local', p),
      ignore: this.ignoreRules,
      chunker: this.chunker as Chunker,
      earlyUpload: this.earlyUploads(),
      // A stop does not wait for the rest of a long scan; nothing of it is stored.
      stopped: () => this.stopping,
    });
    if (res.rootMissing) {
      this.rootError = { code: 'sync_root_missing', message: `The Cairn folder ${root} is missing. Reconnect the drive or restore the folder; nothing is deleted meanwhile.` };
      this.later(2000, () => this.wake({ full: true }));
      return false;
    }
    if (this.sweepTempsBefore !== null && scopes.includes('')) {
      // Temp files of downloads a crash (or an older version) abandoned — up to a GiB each. Only
      // those changed before this engine started: a download of this run is never swept.
      for (const t of res.temps) {
        const ts = await lstat(path.join(root, t)).catch(() => null);
        if (ts && ts.ctimeMs < this.sweepTempsBefore) await rm(path.join(root, t), { force: true });
      }
      this.sweepTempsBefore = null;
    }
    const rootIno = this.db.getMeta<number | null>('root_ino', null);
    const st = await lstat(root);
    if (rootIno !== null && st.ino !== rootIno && this.db.count('synced') > 0) {
      const names = await readdir(root);
      if (names.length === 0) {
        this.rootError = { code: 'sync_root_replaced', message: `The Cairn folder ${root} was replaced by an empty folder (an unmounted drive?). Nothing is deleted; restore it or confirm the deletes.` };
        this.later(2000, () => this.wake({ full: true }));
        return false;
      }
    }
    const db = this.db;
    db.tx(() => {
      const found = new Map(res.nodes.map((n) => [n.path, n]));
      const keep = res.keep;
      for (const scope of scopes) {
        for (const old of db.paths('local', scope)) {
          if (found.has(old) || keep.some((k) => isInside(old, k))) continue;
          db.remove('local', old);
          db.dropBlocks(old);
        }
      }
      for (const n of res.nodes) {
        const old = db.getLite('local', n.path);
        if (!old || old.hash !== n.hash || old.inode !== n.inode || old.mtime !== n.mtime || old.size !== n.size || old.kind !== n.kind || old.executable !== n.executable || old.ctime !== n.ctime || old.hashedAt !== n.hashedAt) db.put('local', n);
      }
      for (const [p, blocks] of res.hashed) db.setBlocks(p, blocks);
      // Scanner issues are re-reported by every scan of their scope.
      for (const i of db.issues()) {
        if ((SCAN_ISSUE_CODES as readonly string[]).includes(i.code) && scopes.some((s) => isInside(i.path, s))) db.clearIssue(i.path, i.code);
      }
      for (const i of res.issues) db.setIssue(i);
    });
    return true;
  }

  private loadIgnore(): void {
    let text: string;
    try {
      text = readFileSync(path.join(this.folder as string, IGNORE_FILE), 'utf8');
    } catch {
      text = '';
    }
    if (text !== this.ignoreText) {
      this.ignoreText = text;
      this.ignoreRules = new IgnoreRules(text);
      this.fullScan = true;
    }
  }

  /**
   * Folders whose shared folder this account lost access to (D28): reported while they exist
   * locally; forgotten once moved or deleted (a moved copy then syncs as the user's own files).
   */
  private async settleDetached(): Promise<string[]> {
    let live = detachedFolders(this.db).filter((d) => this.db.get('local', d.path)?.kind === 'folder');
    // The server has something at or in a kept copy's path again (another shared folder
    // mounted there, or the home got a folder of that name): the kept copy moves aside, still
    // unsynced, so the new content can come down and the copy never leaks into it.
    for (const d of live) {
      if (this.db.subtree('remote', d.path).length === 0) continue;
      const to = await this.renameAside(d.path, 'moved aside: the server has new content at its path');
      if (to) d.path = to;
    }
    live = live.filter((d) => this.db.get('local', d.path)?.kind === 'folder');
    setDetached(this.db, live);
    const paths = live.map((d) => d.path);
    for (const i of this.db.issues()) if (i.code === 'shared_folder_removed' && !paths.includes(i.path)) this.db.clearIssue(i.path, i.code);
    for (const p of paths) {
      this.db.setIssue({
        path: p,
        code: 'shared_folder_removed',
        message: 'You no longer have access to this shared folder; your copy is kept here and no longer syncs',
        action: 'Move it elsewhere in your Cairn folder to keep it as your own files, or delete it.',
      });
    }
    return paths;
  }

  /**
   * Folders kept on this device for their ignored items (D37; the executor adds them): left out
   * of planning, so never re-created on the server. One is dropped from the list — and syncs
   * like any folder again — once it is gone locally, once a non-ignored item appears in it
   * (its kept parents with it: the server needs them), or once the server has that path again
   * (outside selective sync's exclusions). A kept copy of a lost shared folder (`detached`,
   * D28) is no such item: it is never synced either (chaos #14, share seed 900187: counted, it
   * made an excluded folder holding one adopted and kept again every round, never quiet).
   * Returns the folders still kept.
   */
  private settleKept(isExcluded: (p: string) => boolean, detached: readonly string[]): string[] {
    const before = keptFolders(this.db);
    if (before.length === 0) return before;
    const live = before.filter((k) => this.db.get('local', k)?.kind === 'folder');
    const liveSet = new Set(live);
    const drop = new Set<string>();
    for (const k of live) {
      if (!isExcluded(k) && this.db.get('remote', k)) drop.add(k);
      else if (this.db.subtree('local', k).some((n) => n.path !== k && !liveSet.has(n.path) && !detached.some((d) => isInside(n.path, d)))) drop.add(k);
    }
    for (const d of [...drop]) for (const k of live) if (d !== k && isInside(d, k)) drop.add(k);
    const next = live.filter((k) => !drop.has(k));
    if (next.length !== before.length) {
      this.db.tx(() => {
        this.db.setMeta(KEPT_META, next);
        for (const k of before) if (!next.includes(k)) this.db.clearIssue(k, 'kept_ignored');
      });
    }
    return next;
  }

  /** Reports local items the planner held on this device (viewer folders, nested shares). */
  private reportHeld(held: ReadonlyArray<{ path: string; reason: 'read_only' | 'nested_share' }>): void {
    const now = new Set(held.map((h) => `${h.reason}:${h.path}`));
    for (const i of this.db.issues()) if ((i.code === 'read_only' || i.code === 'nested_share') && !now.has(`${i.code}:${i.path}`)) this.db.clearIssue(i.path, i.code);
    for (const h of held) {
      this.db.setIssue(
        h.reason === 'read_only'
          ? {
              path: h.path,
              code: 'read_only',
              message: 'You can view but not edit this shared folder, so this is kept on this device only',
              action: 'Edits of shared files are kept as conflicted copies. Ask the owner for edit access, or move the item out of the shared folder.',
            }
          : {
              path: h.path,
              code: 'nested_share',
              message: 'A shared folder cannot be moved into another shared folder (shared folders do not nest), so this move was not carried out',
              action: 'Move the folder back, or to a place outside any shared folder.',
            },
      );
    }
  }

  private excludedMatcher(): (p: string) => boolean {
    return this.selective.matcher();
  }

  private setPending(ops: Op[]): void {
    const p = { uploads: 0, downloads: 0, other: 0, bytes: 0 };
    for (const o of ops) {
      if (o.type === 'upload') {
        p.uploads++;
        p.bytes += o.local.size;
      } else if (o.type === 'download') {
        p.downloads++;
        p.bytes += o.remote.size;
      } else p.other++;
    }
    this.pending = p;
    this.progress = { done: 0, total: p.bytes, startedAt: Date.now() };
  }

  // ---- status and events ------------------------------------------------------------------

  /** Shows a chunker pool notice: hashing on the main thread is an issue (slow, blocking). */
  private chunkerNotice(n: ChunkerNotice): void {
    if (this.stopping || !this.started) return;
    if (n.kind === 'inline-fallback') {
      this.db.setIssue({ path: '', code: 'chunker_inline', message: `Files are hashed on the main thread (slower): ${n.reason}`, action: 'Cairn keeps syncing; restart Cairn, or reinstall it if this persists.' });
      this.log('', 'chunker', `hashing now runs on the main thread: ${n.reason}`);
    } else {
      this.log('', 'chunker', `a hashing worker was replaced: ${n.reason}`);
    }
    this.emitStatusSoon();
  }

  private log(p: string, action: string, detail: string | null = null, device: string | null = null): void {
    const item = this.db.logActivity({ path: p, action, device_name: device, detail });
    this.emit('activity', item satisfies ActivityItem);
  }

  private emitStatusSoon(): void {
    if (this.statusTimer) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null;
      this.emitStatus();
    }, 200);
    this.statusTimer.unref();
  }

  private lastStatusJson = '';
  private emitStatus(): void {
    if (!this.started && !this.creds) return;
    let s: Status;
    try {
      s = this.status();
    } catch {
      return; // DB closed
    }
    const j = JSON.stringify(s);
    if (j === this.lastStatusJson) return;
    this.lastStatusJson = j;
    this.emit('status', s);
  }

  /** The current status (see control.ts Status). */
  status(): Status {
    let state: Status['state'];
    if (!this.creds || !this.folder) state = 'setup';
    else if (this.rootError) state = 'error';
    else if (this.paused) state = 'paused';
    else if (this.offline) state = 'offline';
    else if (this.guard.held) state = 'held';
    else if (this.syncing || this.kick || !this.lastPlanEmpty) state = 'syncing';
    else state = 'idle';
    const elapsed = Date.now() - this.progress.startedAt;
    const rate = elapsed > 0 ? this.progress.done / elapsed : 0;
    const left = Math.max(0, this.progress.total - this.progress.done);
    const issues: SyncIssue[] = this.db.issues();
    return {
      state,
      server: this.creds?.server ?? null,
      email: this.creds?.email ?? null,
      device_name: this.creds?.device_name ?? null,
      folder: this.folder,
      pending: { ...this.pending },
      progress: { done_bytes: this.progress.done, total_bytes: this.progress.total, eta_ms: rate > 0 && state === 'syncing' ? Math.round(left / rate) : null },
      held_deletes: this.guard.held ? { side: this.guard.held.side, count: this.guard.held.count, sample: this.guard.held.sample } : null,
      error: this.rootError,
      issues,
      conflicts: this.conflicts().length,
      last_synced_at: this.lastSyncedAt,
    };
  }

  /** Recent activity, newest first. */
  activity(limit = 100): ActivityItem[] {
    return this.db.activity(limit);
  }

  /**
   * Resolves true once the engine is in sync: a full rescan and a pull made after this call
   * found nothing to do and nothing held; false after `timeoutMs` (ms).
   */
  waitIdle(timeoutMs = 60_000): Promise<boolean> {
    if (!this.started || !this.creds || !this.folder) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const w = { need: this.cyclesStarted + 1, resolve };
      this.idleWaiters.push(w);
      const t = setTimeout(() => {
        const i = this.idleWaiters.indexOf(w);
        if (i >= 0) this.idleWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      t.unref();
      const orig = w.resolve;
      w.resolve = (ok) => {
        clearTimeout(t);
        orig(ok);
      };
      this.wake({ full: true, remote: true });
    });
  }

  /** Pauses syncing (the current transfer finishes). */
  pause(): Status {
    this.paused = true;
    this.log('', 'paused');
    this.emitStatus();
    return this.status();
  }

  resume(): Status {
    this.paused = false;
    this.log('', 'resumed');
    this.wake({ full: true, remote: true });
    this.emitStatus();
    return this.status();
  }

  /** Carries out a held mass delete. */
  confirmDeletes(): Status {
    const h = this.guard.confirm();
    if (h) {
      this.log('', 'deletes_confirmed', `${h.count} files`);
      this.wake({ remote: true });
    }
    return this.status();
  }

  /** Refuses a held mass delete: the deleted files come back from the other side. */
  rejectDeletes(): Status {
    const h = this.guard.reject();
    if (h) {
      this.db.tx(() => {
        for (const p of h.paths) this.db.removeSubtree('synced', p);
      });
      this.log('', 'deletes_rejected', `${h.count} files restored from the ${h.side === 'remote' ? 'server' : 'local folder'}`);
      this.wake({ remote: true });
    }
    return this.status();
  }

  // ---- files --------------------------------------------------------------------------

  private requireClient(): RemoteClient {
    if (!this.creds) throw new CairnError('not_logged_in');
    if (!this.client) this.client = new RemoteClient({ server: this.creds.server, token: this.creds.token });
    return this.client;
  }

  /** The mount table (shared folders in this device's view). */
  private mounts(): MountTable {
    if (!this.creds) throw new CairnError('not_logged_in');
    return loadMounts(this.db, this.creds.home_ns);
  }

  /**
   * Entries of folder `p` (local and remote) with their sync state.
   * @throws CairnError `path_invalid`
   */
  ls(p = ''): LocalEntry[] {
    const dir = normalizePath(p);
    const excluded = this.excludedMatcher();
    const issues = new Set(this.db.issues().map((i) => i.path));
    const out = new Map<string, LocalEntry>();
    const children = (tree: 'local' | 'remote'): TreeNode[] => this.db.subtree(tree, dir).filter((n) => n.path !== dir && parentPath(n.path) === dir);
    for (const r of children('remote')) {
      out.set(r.path, { path: r.path, kind: r.kind, size: r.size, mtime: Math.floor(r.mtime), state: excluded(r.path) ? 'excluded' : 'remote_only' });
    }
    for (const l of children('local')) {
      const s = this.db.get('synced', l.path);
      const r = this.db.get('remote', l.path);
      const inSync = s && r && (l.kind === 'folder' ? s.kind === 'folder' : s.hash === l.hash && r.rev === s.rev);
      const state: LocalEntry['state'] = issues.has(l.path) ? 'error' : inSync ? 'synced' : 'pending';
      out.set(l.path, { path: l.path, kind: l.kind, size: l.size, mtime: Math.floor(l.mtime), state });
    }
    for (const i of this.db.issues()) {
      if (parentPath(i.path) === dir && !out.has(i.path)) out.set(i.path, { path: i.path, kind: 'file', size: 0, mtime: 0, state: 'error' });
    }
    return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** Conflicted copies in the local folder beside their originals. */
  conflicts(): ConflictInfo[] {
    return this.versions.conflicts();
  }

  /** See {@link Versions.resolveConflict}. */
  resolveConflict(p: string, keep: 'mine' | 'theirs' | 'both'): Promise<void> {
    return this.versions.resolveConflict(p, keep);
  }

  /** Revisions of a file, newest first. @throws CairnError `not_found`, `offline`, … */
  history(p: string): Promise<Revision[]> {
    return this.versions.history(p);
  }

  /** Restores revision `rev` of `p` on the server; the engine then downloads it. */
  restore(p: string, rev: string): Promise<Entry> {
    return this.versions.restore(p, rev);
  }

  /** See {@link Versions.saveRevision}. */
  saveRevision(p: string, rev: string, dest: string): Promise<void> {
    return this.versions.saveRevision(p, rev, dest);
  }

  /** Deleted entries under `p` that can be restored. */
  deleted(p = ''): Promise<Entry[]> {
    return this.versions.deleted(p);
  }

  /** Restores a deleted file or folder on the server; the engine then downloads it. */
  undelete(p: string): Promise<Entry> {
    return this.versions.undelete(p);
  }

  /** Remote folders directly under `p` with recursive sizes and exclusion state. */
  remoteTree(p = ''): Array<{ path: string; size: number; files: number; excluded: boolean }> {
    const dir = normalizePath(p);
    const excluded = this.excludedMatcher();
    const all = this.db.subtree('remote', dir);
    const folders = all.filter((n) => n.kind === 'folder' && n.path !== dir && parentPath(n.path) === dir);
    return folders.map((f) => {
      let size = 0;
      let files = 0;
      for (const n of all) if (n.kind === 'file' && isInside(n.path, f.path)) {
        size += n.size;
        files++;
      }
      return { path: f.path, size, files, excluded: excluded(f.path) };
    });
  }

  // ---- selective sync -------------------------------------------------------------------

  /** Excluded folders (selective sync). */
  excludeList(): string[] {
    return this.selective.list();
  }

  /** See {@link SelectiveSync.preview}. */
  excludePreview(paths: string[]): { files: number; bytes: number; unsynced: number } {
    return this.selective.preview(paths);
  }

  /** See {@link SelectiveSync.add}. */
  excludeAdd(p: string): string[] {
    return this.selective.add(p);
  }

  /** See {@link SelectiveSync.remove}. */
  excludeRemove(p: string): string[] {
    return this.selective.remove(p);
  }

  // ---- settings and account ---------------------------------------------------------------

  getSettings(): Settings {
    const s = this.db.getMeta<StoredSettings>('settings', DEFAULT_SETTINGS);
    let ignore_rules = '';
    try {
      if (this.folder) ignore_rules = readFileSync(path.join(this.folder, IGNORE_FILE), 'utf8');
    } catch {
      ignore_rules = '';
    }
    return { ...DEFAULT_SETTINGS, ...s, ignore_rules };
  }

  /** Changes settings (partial); bandwidth limits apply at once. */
  setSettings(patch: Partial<Settings>): Settings {
    const cur = this.db.getMeta<StoredSettings>('settings', DEFAULT_SETTINGS);
    const next: StoredSettings = {
      upload_limit_bps: patch.upload_limit_bps ?? cur.upload_limit_bps,
      download_limit_bps: patch.download_limit_bps ?? cur.download_limit_bps,
      start_at_login: patch.start_at_login ?? cur.start_at_login,
    };
    this.db.setMeta('settings', next);
    this.client?.upload.setRate(next.upload_limit_bps);
    this.client?.download.setRate(next.download_limit_bps);
    if (patch.ignore_rules !== undefined && this.folder) {
      writeFileSync(path.join(this.folder, IGNORE_FILE), patch.ignore_rules);
      this.wake({ full: true });
    }
    return this.getSettings();
  }

  /**
   * This device's client of the server, for calls the engine does not wrap itself (sharing,
   * src-main/engine/sharing.ts). @throws CairnError `not_logged_in`
   */
  remote(): RemoteClient {
    return this.requireClient();
  }

  async account(): Promise<Account> {
    return this.requireClient().call('account');
  }

  async devices(): Promise<Device[]> {
    return (await this.requireClient().call('listDevices')).devices;
  }

  async revokeDevice(id: string): Promise<void> {
    await this.requireClient().call('revokeDevice', { params: { id } });
  }

  /**
   * Links this device (first run) and starts syncing `folder`.
   * @throws CairnError from signup/login
   */
  async link(input: { mode: 'signup' | 'login'; server: string; email: string; password: string; device_name?: string; folder: string }): Promise<Status> {
    if (!path.isAbsolute(input.folder)) throw new CairnError('bad_request', 'folder must be an absolute path');
    const c = await linkAccount(this.home, input, this.credStore);
    await this.restartWith(c, path.resolve(input.folder));
    return this.status();
  }

  private restartWith(c: Credentials | null, folder: string | null): Promise<void> {
    return this.serial(async () => {
      if (this.closed) throw new CairnError('unavailable', 'this engine was stopped');
      const wasStarted = this.started;
      if (wasStarted) await this.halt();
      this.creds = c;
      this.folder = folder;
      this.checkIdentity();
      if (wasStarted || c) await this.startNow();
    });
  }

  /** Revokes this device's token and forgets the credentials; the engine returns to setup. */
  async logout(): Promise<void> {
    if (this.creds) {
      try {
        await this.requireClient().call('logout');
      } catch (e) {
        if (!(e instanceof CairnError) || (e.code !== 'unauthorized' && e.code !== 'offline')) throw e;
      }
    }
    this.credStore.clear();
    await this.restartWith(null, this.folder);
    this.emitStatus();
  }

  /** Bytes of block payloads sent and received since this engine started. */
  stats(): { bytes_up: number; bytes_down: number; bytes_up_early: number } {
    return { bytes_up: this.client?.bytesUp ?? 0, bytes_down: this.client?.bytesDown ?? 0, bytes_up_early: this.earlyBytes };
  }

  /** Problems found in the state DB (empty = consistent); for tests and chaos runs. */
  integrityCheck(): string[] {
    return this.db.integrityCheck();
  }

  /** Applies a server entry to the remote tree (used after restore/undelete in tests). */
  noteRemote(e: Entry): void {
    putRemoteEntry(this.db, e);
  }
}

/**
 * The part of local path `rel` that collides with the server's `existing` path (the same path
 * ignoring case; for a shared folder, a path inside its namespace, so `rel` ends with it): the
 * first segment where the two differ — `d2` for `d2/a` against `D2/a` — else `rel` itself.
 */
export function collidingPart(rel: string, existing: unknown): string {
  if (typeof existing !== 'string') return rel;
  const mine = rel.split('/');
  const theirs = existing.split('/');
  const off = mine.length - theirs.length;
  if (off < 0 || pathKey(mine.slice(off).join('/')) !== pathKey(existing)) return rel;
  for (let i = 0; i < theirs.length; i++) if (mine[off + i] !== theirs[i]) return mine.slice(0, off + i + 1).join('/');
  return rel;
}

/**
 * The part of view path `rel` that collides ignoring case with the mount point whose home
 * path key is `mountKey` (a `mount_point` refusal's `details.mount_path_key`), or null when
 * there is none: no part of `rel` has that key, or that part is exactly a mount point this
 * device knows (then the refusal means the mount table is behind, and a pull settles it).
 */
export function mountCaseCollision(rel: string, mountKey: unknown, mounts: Pick<MountTable, 'mountAt'>): string | null {
  if (typeof mountKey !== 'string' || mountKey === '') return null;
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (pathKey(prefix) !== mountKey) continue;
    return mounts.mountAt(prefix) ? null : prefix;
  }
  return null;
}

/** Waits `ms` without keeping the process alive. */
function nap(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** Default device name (the host name). */
export function defaultDeviceName(): string {
  return os.hostname();
}

/** True when `dir` exists and holds a device (credentials file). */
export function isLinked(home: string): boolean {
  return existsSync(path.join(home, 'device.json'));
}
