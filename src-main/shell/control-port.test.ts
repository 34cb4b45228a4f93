import { describe, expect, it } from 'vitest';
import type { ControlEvent } from '../../src-shared/control.ts';
import { switchableControl } from './control-port.ts';
import { fakeControl, status } from './test-fakes.ts';

describe('switchableControl', () => {
  it('moves calls, subscribers and stop to the new service, and stops listening to the old one', async () => {
    const a = fakeControl(status({ state: 'idle' }));
    const b = fakeControl(status({ state: 'syncing' }));
    const c = switchableControl(a);
    const got: ControlEvent[] = [];
    const off = c.subscribe((e) => got.push(e));
    expect((await c.api.status({})).state).toBe('idle');
    a.emit({ type: 'status', status: status({ state: 'paused' }) });
    c.switchTo(b);
    expect((await c.api.status({})).state).toBe('syncing');
    a.emit({ type: 'status', status: status({ state: 'offline' }) }); // no longer heard
    b.emit({ type: 'status', status: status({ state: 'error' }) });
    expect(got.map((e) => e.type === 'status' && e.status.state)).toEqual(['paused', 'error']);
    off();
    b.emit({ type: 'status', status: status({ state: 'idle' }) });
    expect(got).toHaveLength(2);
    await c.stop();
    expect(b.stop).toHaveBeenCalledTimes(1);
    expect(a.stop).not.toHaveBeenCalled();
  });
});
