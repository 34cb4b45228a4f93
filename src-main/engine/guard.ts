/**
 * The mass-delete guard's state across rounds (the check itself is the planner's pure
 * {@link massDeleteCheck}): which deletes are held for the user, which exact deletes the user
 * confirmed, and the deletes carried out in the last minute (a big `rm -r` reaches the engine
 * in several bursts, so each burst is judged together with the ones just before it).
 * May import: the engine's plan/.
 */
import { DEFAULT_MASS_DELETE, guardedFiles, massDeleteCheck, type HeldDeletes, type MassDeleteLimits, type Op } from './plan/planner.ts';

/** How long carried-out deletes keep counting towards the guard (ms). */
const RECENT_MS = 60_000;

/** Deletes of the given side that the guard counts. */
function isGuardedDelete(o: Op, side: 'local' | 'remote'): o is Extract<Op, { type: 'deleteRemote' | 'deleteLocal' }> {
  return side === 'remote' ? o.type === 'deleteRemote' : o.type === 'deleteLocal' && o.reason === 'remote';
}

/** See the module doc. */
export class DeleteGuard {
  /** The deletes waiting for the user, or null. */
  held: HeldDeletes | null = null;
  private readonly limits: MassDeleteLimits;
  /** Exactly the confirmed ops (path → files it deleted when shown): new or grown ones are not covered. */
  private confirmed: { side: 'local' | 'remote'; files: Map<string, number> } | null = null;
  private recent: Array<{ t: number; side: 'local' | 'remote'; files: number }> = [];

  constructor(limits: MassDeleteLimits = DEFAULT_MASS_DELETE) {
    this.limits = limits;
  }

  /** True for a delete the user confirmed (it bypasses the guard and the quiet period once). */
  isConfirmed(o: Op): boolean {
    const c = this.confirmed;
    if (!c || !isGuardedDelete(o, c.side)) return false;
    return o.files <= (c.files.get(o.path) ?? -1);
  }

  /**
   * Filters a round's ops: the held side's deletes wait unless confirmed. `syncedFiles` and
   * `localEntries` are the merge base's file count and the local tree's entry count.
   * Returns the ops to run now and whether the held set changed (worth an activity line).
   */
  apply(ops: Op[], syncedFiles: number, localEntries: number, now = Date.now(), alwaysHold: (o: Op) => boolean = () => false): { ops: Op[]; changed: boolean } {
    this.recent = this.recent.filter((d) => d.t > now - RECENT_MS);
    const recent = { local: 0, remote: 0 };
    for (const d of this.recent) recent[d.side] += d.files;
    const guarded = ops.filter((o) => !this.isConfirmed(o));
    // Just after a confirmation the recent deletes were what the user agreed to: not counted.
    let held = massDeleteCheck(guarded, syncedFiles, localEntries, this.limits, this.confirmed ? { local: 0, remote: 0 } : recent);
    // Some deletes always ask first, however small (deleting a shared folder's local copy
    // leaves it, or unshares it from everyone for its owner).
    const must = guarded.filter((o): o is Extract<Op, { type: 'deleteRemote' }> => o.type === 'deleteRemote' && alwaysHold(o));
    if (!held && must.length > 0) {
      const dels = guarded.filter((o): o is Extract<Op, { type: 'deleteRemote' }> => o.type === 'deleteRemote');
      const paths = dels.map((o) => o.path);
      held = { side: 'remote', count: dels.reduce((n, o) => n + o.files, 0), sample: paths.slice(0, 10), paths, files: Object.fromEntries(dels.map((o) => [o.path, o.files])) };
    }
    const before = this.held;
    this.held = held;
    if (!held) return { ops, changed: false };
    const changed = !before || before.count !== held.count || before.side !== held.side;
    return { ops: ops.filter((o) => this.isConfirmed(o) || !isGuardedDelete(o, held.side)), changed };
  }

  /** Records what a round carried out; a confirmation is used once. */
  executed(done: readonly Op[], now = Date.now()): void {
    if (this.confirmed && done.some((o) => this.isConfirmed(o))) this.confirmed = null;
    for (const o of done) {
      // The second half of a move into another namespace does not count (guardedFiles).
      if (isGuardedDelete(o, 'remote')) this.recent.push({ t: now, side: 'remote', files: guardedFiles(o) });
      if (isGuardedDelete(o, 'local')) this.recent.push({ t: now, side: 'local', files: guardedFiles(o) });
    }
  }

  /** A round found nothing to do: a pending confirmation has nothing left to cover. */
  idle(): void {
    this.confirmed = null;
  }

  /** The user confirmed the held deletes: exactly those run in the next round. Returns them. */
  confirm(): HeldDeletes | null {
    const h = this.held;
    if (!h) return null;
    this.confirmed = { side: h.side, files: new Map(h.paths.map((p) => [p, h.files[p] ?? 0])) };
    this.held = null;
    return h;
  }

  /** The user refused the held deletes (the caller restores them). Returns them. */
  reject(): HeldDeletes | null {
    const h = this.held;
    this.held = null;
    return h;
  }
}
