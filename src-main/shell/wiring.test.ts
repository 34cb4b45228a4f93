import { describe, expect, it, vi } from 'vitest';

// The real engine and control transport are tested in their own folders; here only the
// wiring's own decisions matter, so both are stand-ins.
const h = vi.hoisted(() => ({
  engines: [] as {
    start: ReturnType<typeof vi.fn>;
    stop: ReturnType<typeof vi.fn>;
    opts: { home: string; credentials?: { load(): unknown; save(c: unknown): void } };
  }[],
  serve: vi.fn(),
}));
vi.mock('../engine/index.ts', () => ({
  Engine: class {
    start = vi.fn(async () => {});
    stop = vi.fn(async () => {});
    opts: unknown;
    constructor(opts: unknown) {
      this.opts = opts;
      h.engines.push(this as never);
    }
  },
}));
vi.mock('../control/index.ts', () => ({
  homeHolder: () => null,
  callControl: async () => ({}),
  readControlInfo: () => null,
  createControlApi: () => ({}),
  onControlEvents: () => () => {},
  serveEngine: h.serve,
}));

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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

describe('openEngineControl with safeStorage', () => {
  it('gives the in-process engine a credential store that keeps the token in safeStorage', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'cairn-wiring-'));
    try {
      h.engines.length = 0;
      h.serve.mockResolvedValueOnce({ close: async () => {} });
      const safeStorage = {
        isEncryptionAvailable: () => true,
        encryptString: (s: string) => Buffer.from(s, 'utf8').reverse(),
        decryptString: (b: Buffer) => Buffer.from(b).reverse().toString('utf8'),
      };
      await openEngineControl({ home, safeStorage });
      const store = h.engines[0]!.opts.credentials!;
      expect(h.engines[0]!.opts.home).toBe(home);
      expect(store.load()).toBeNull();
      store.save({
        server: 'http://s',
        email: 'e@x.org',
        account_id: 'a',
        device_id: 'd',
        device_name: 'n',
        token: 'tok_abc',
        home_ns: 'h',
      });
      expect(await readFile(path.join(home, 'device.json'), 'utf8')).not.toContain('tok_abc');
      expect(store.load()).toMatchObject({ token: 'tok_abc' });
      // Without safeStorage (tests, headless use) the engine keeps its default file store.
      h.serve.mockResolvedValueOnce({ close: async () => {} });
      await openEngineControl({ home });
      expect(h.engines[1]!.opts.credentials).toBeUndefined();
    } finally {
      await rm(home, { recursive: true, force: true });
    }
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
