import { describe, expect, it, vi } from 'vitest';

// The real engine and control transport are tested in their own folders; here only the
// wiring's own decisions matter, so both are stand-ins.
const h = vi.hoisted(() => ({
  engines: [] as { start: ReturnType<typeof vi.fn>; stop: ReturnType<typeof vi.fn> }[],
  serve: vi.fn(),
}));
vi.mock('../engine/index.ts', () => ({
  Engine: class {
    start = vi.fn(async () => {});
    stop = vi.fn(async () => {});
    constructor() {
      h.engines.push(this);
    }
  },
}));
vi.mock('../control/index.ts', () => ({
  alive: () => false,
  readControlInfo: () => null,
  createControlApi: () => ({}),
  onControlEvents: () => () => {},
  serveEngine: h.serve,
}));

import { CairnError } from '../../src-shared/errors.ts';
import { startFailure } from './start-failure.ts';
import { openEngineControl } from './wiring.ts';

describe('openEngineControl', () => {
  it('stops the engine it started when serving its control API fails', async () => {
    h.serve.mockRejectedValueOnce(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }));
    await expect(openEngineControl({ home: '/tmp/nowhere' })).rejects.toThrow('EADDRINUSE');
    expect(h.engines).toHaveLength(1);
    expect(h.engines[0]!.start).toHaveBeenCalled();
    expect(h.engines[0]!.stop).toHaveBeenCalledTimes(1);
  });
});

describe('startFailure', () => {
  it('names the stable code and the device folder', () => {
    const { title, content } = startFailure(
      new CairnError('unavailable', 'the state database is in use'),
      '/h',
    );
    expect(title).toBe('Cairn could not start');
    expect(content).toContain('(unavailable)');
    expect(content).toContain('/h');
    expect(startFailure('boom', '/h').content).toContain('boom (internal)');
  });
});
