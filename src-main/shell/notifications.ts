/**
 * OS notifications for what needs the user: a new conflicted copy, syncing stopped with an
 * error, a mass delete held for confirmation. Rate-limited so a burst (a hundred conflicts
 * after a long offline stretch) makes one notification, not a hundred: at most one per
 * `minIntervalMs`; what was held back is counted into the next one.
 */
import type { Status } from '../../src-shared/control.ts';

/** Options of {@link createStatusNotifier}. */
export interface StatusNotifierOptions {
  show(title: string, body: string): void;
  now?: () => number;
  /** Default 60 s. */
  minIntervalMs?: number;
}

/** Feeds statuses in; shows notifications when something new needs the user. */
export interface StatusNotifier {
  onStatus(status: Status): void;
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

/** Creates a rate-limited notifier. */
export function createStatusNotifier(opts: StatusNotifierOptions): StatusNotifier {
  const now = opts.now ?? Date.now;
  const interval = opts.minIntervalMs ?? 60_000;
  let prev: Status | null = null;
  let lastShown = Number.NEGATIVE_INFINITY;
  let heldBack = 0;
  return {
    onStatus(status) {
      const alerts = newAlerts(prev, status);
      prev = status;
      if (alerts.length === 0) return;
      const t = now();
      if (t - lastShown < interval) {
        heldBack += alerts.length;
        return;
      }
      const [first, ...rest] = alerts;
      const more = rest.length + heldBack;
      opts.show(
        first!.title,
        more > 0 ? `${first!.body} (and ${more} more alert${more === 1 ? '' : 's'})` : first!.body,
      );
      lastShown = t;
      heldBack = 0;
    },
  };
}
