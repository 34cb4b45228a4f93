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

  it('shows at most one per interval and counts what it held back', () => {
    let t = 0;
    const show = vi.fn();
    const n = createStatusNotifier({ show, now: () => t, minIntervalMs: 60_000 });
    n.onStatus(status());
    for (let i = 1; i <= 5; i++) {
      t += 1000;
      n.onStatus(status({ conflicts: i }));
    }
    expect(show).toHaveBeenCalledTimes(1);
    t += 60_000;
    n.onStatus(status({ conflicts: 6 }));
    expect(show).toHaveBeenCalledTimes(2);
    expect(show.mock.calls[1]![1]).toMatch(/and 4 more alerts/);
  });
});
