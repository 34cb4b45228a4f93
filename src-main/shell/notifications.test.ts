import { describe, expect, it, vi } from 'vitest';
import { createStatusNotifier, newAlerts } from './notifications.ts';
import { status } from './test-fakes.ts';

describe('notifications', () => {
  it('alerts on new conflicts, a new error and a held mass delete only', () => {
    expect(newAlerts(null, status({ conflicts: 3 }))).toEqual([]); // startup: not "new"
    expect(newAlerts(status(), status({ conflicts: 1 }))[0]!.title).toBe('New conflicted copy');
    expect(newAlerts(status({ conflicts: 2 }), status({ conflicts: 1 }))).toEqual([]);
    const err = status({ state: 'error', error: { code: 'root_missing', message: 'The folder is gone.' } });
    expect(newAlerts(status(), err)).toEqual([
      { title: 'Cairn stopped syncing', body: 'The folder is gone.' },
    ]);
    expect(newAlerts(err, err)).toEqual([]);
    const held = status({ state: 'held', held_deletes: { side: 'local', count: 1500, sample: [] } });
    expect(newAlerts(status(), held)[0]!.body).toMatch(/1500 files/);
  });

  /** A notifier on a hand-driven clock; `flush()` runs the scheduled flush, as the timer would. */
  const driven = () => {
    const clock = { t: 0 };
    const show = vi.fn();
    const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
    const n = createStatusNotifier({
      show,
      now: () => clock.t,
      minIntervalMs: 60_000,
      schedule: (fn, ms) => {
        const timer = { fn, ms, cancelled: false };
        timers.push(timer);
        return () => void (timer.cancelled = true);
      },
    });
    const pending = () => timers.filter((x) => !x.cancelled);
    const flush = () => {
      const [timer] = pending();
      if (!timer) throw new Error('no flush scheduled');
      clock.t += timer.ms;
      timer.cancelled = true;
      timer.fn();
    };
    return { clock, show, n, pending, flush };
  };

  it('shows at most one per interval and counts what it held back into the next one', () => {
    const { clock, show, n, pending } = driven();
    n.onStatus(status());
    for (let i = 1; i <= 5; i++) {
      clock.t += 1000;
      n.onStatus(status({ conflicts: i }));
    }
    expect(show).toHaveBeenCalledTimes(1);
    expect(pending()).toHaveLength(1); // one flush for the four held back, not four
    clock.t += 60_000;
    n.onStatus(status({ conflicts: 6 }));
    expect(show).toHaveBeenCalledTimes(2);
    expect(show.mock.calls[1]![1]).toMatch(/and 4 more alerts/);
    expect(pending()).toHaveLength(0); // the flush is no longer needed
  });

  it('one alert held back, then silence: it is shown when the interval is over', () => {
    const { clock, show, n, pending, flush } = driven();
    n.onStatus(status());
    clock.t = 10_000;
    n.onStatus(status({ conflicts: 1 }));
    expect(show).toHaveBeenCalledTimes(1);
    clock.t = 15_000;
    const err = status({
      conflicts: 1,
      state: 'error',
      error: { code: 'sync_root_missing', message: 'The folder is gone.' },
    });
    n.onStatus(err);
    expect(show).toHaveBeenCalledTimes(1); // held back
    expect(pending().map((x) => x.ms)).toEqual([55_000]); // at lastShown + interval
    flush(); // nothing else ever arrives
    expect(show).toHaveBeenCalledTimes(2);
    expect(show).toHaveBeenLastCalledWith('Cairn stopped syncing', 'The folder is gone.');
    // Shown now: the next alert within the interval waits again.
    clock.t += 1000;
    n.onStatus(status({ conflicts: 2, state: 'error', error: err.error }));
    expect(show).toHaveBeenCalledTimes(2);
    expect(pending()).toHaveLength(1);
  });

  it('dispose cancels a pending flush', () => {
    const { clock, n, pending } = driven();
    n.onStatus(status());
    n.onStatus(status({ conflicts: 1 }));
    clock.t = 1;
    n.onStatus(status({ conflicts: 2 }));
    expect(pending()).toHaveLength(1);
    n.dispose();
    expect(pending()).toHaveLength(0);
  });
});
