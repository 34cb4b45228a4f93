/**
 * OS notifications for what needs the user: a new conflicted copy, syncing stopped with an
 * error, a mass delete held for confirmation. Rate-limited so a burst (a hundred conflicts
 * after a long offline stretch) makes one notification, not a hundred: at most one per
 * `minIntervalMs`; what was held back is shown when the interval is over (or counted into
 * the next notification if that comes first).
 */
import type { Status } from '../../src-shared/control.ts';

/** Options of {@link createStatusNotifier}. */
export interface StatusNotifierOptions {
  show(title: string, body: string): void;
  now?: () => number;
  /**
   * Runs `fn` after `ms`; returns a cancel function. Default: an unref'd setTimeout (a pending
   * flush must not keep the process alive). Injectable so tests drive the clock.
   */
  schedule?: (fn: () => void, ms: number) => () => void;
  /** Default 60 s. */
  minIntervalMs?: number;
}

/** Feeds statuses in; shows notifications when something new needs the user. */
export interface StatusNotifier {
  onStatus(status: Status): void;
  /** Cancels a pending flush (at quit). */
  dispose(): void;
}

/** What is new in `next` compared with `prev` that deserves a notification. */
export function newAlerts(prev: Status | null, next: Status): { title: string; body: string }[] {
  const out: { title: string; body: string }[] = [];
  if (prev && next.conflicts > prev.conflicts) {
    const n = next.conflicts - prev.conflicts;
    out.push({
      title: n === 1 ? 'New conflicted copy' : `${n} new conflicted copies`,
      body: 'A file changed in two places at once. Both versions are kept; open Cairn to choose.',
    });
  }
  if (next.error && (!prev?.error || prev.error.code !== next.error.code)) {
    out.push({ title: 'Cairn stopped syncing', body: next.error.message });
  }
  if (next.state === 'held' && prev?.state !== 'held' && next.held_deletes) {
    out.push({
      title: 'Many deletions held',
      body: `${next.held_deletes.count} files would be deleted. Nothing is deleted until you confirm in Cairn.`,
    });
  }
  return out;
}

const defaultSchedule = (fn: () => void, ms: number): (() => void) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return () => clearTimeout(t);
};

/**
 * Creates a rate-limited notifier. An alert that arrives less than `minIntervalMs` after the
 * last notification is held back; a flush is scheduled for `lastShown + minIntervalMs`, so a
 * held-back alert is shown then even if nothing else happens (counted into the next one if
 * that comes first).
 */
export function createStatusNotifier(opts: StatusNotifierOptions): StatusNotifier {
  const now = opts.now ?? Date.now;
  const schedule = opts.schedule ?? defaultSchedule;
  const interval = opts.minIntervalMs ?? 60_000;
  let prev: Status | null = null;
  let lastShown = Number.NEGATIVE_INFINITY;
  let held: { title: string; body: string }[] = [];
  let cancelFlush: (() => void) | null = null;

  /** Shows the first of `alerts` (the rest counted in its body) and forgets what was held. */
  const showNow = (alerts: { title: string; body: string }[]) => {
    cancelFlush?.();
    cancelFlush = null;
    const [first, ...rest] = alerts;
    if (!first) return;
    const more = rest.length;
    opts.show(
      first.title,
      more > 0 ? `${first.body} (and ${more} more alert${more === 1 ? '' : 's'})` : first.body,
    );
    lastShown = now();
    held = [];
  };

  return {
    onStatus(status) {
      const alerts = newAlerts(prev, status);
      prev = status;
      if (alerts.length === 0) return;
      const t = now();
      if (t - lastShown >= interval) {
        // The new alerts lead; anything still held back is counted in.
        showNow([...alerts, ...held]);
        return;
      }
      held.push(...alerts);
      cancelFlush ??= schedule(
        () => {
          cancelFlush = null;
          showNow(held);
        },
        Math.max(0, lastShown + interval - t),
      );
    },
    dispose() {
      cancelFlush?.();
      cancelFlush = null;
      held = [];
    },
  };
}
