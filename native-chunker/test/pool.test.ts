/**
 * Worker-pool lifecycle: errors are ChunkerErrors, a worker dying mid-task fails its tasks and
 * is replaced, repeated deaths and unstartable workers fall back to inline work (and say so),
 * idle workers never keep the process alive, chunkFile never blocks the event loop, and the
 * worker script is found outside app.asar in a packaged app.
 */
import { execFile } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkBuffer } from '../src/chunker.ts';
import { newScanState } from '../src/cutter.ts';
import { ChunkerError } from '../src/errors.ts';
import { chunkFile } from '../src/file.ts';
import { resolveParams } from '../src/params.ts';
import {
  asarUnpackedUrl,
  createInlineExecutor,
  createWorkerPool,
  MAX_DEATHS_IN_A_ROW,
  poolMode,
  type Executor,
  type PoolNotice,
} from '../src/pool.ts';
import { FATAL_LEN } from './fixtures/crash-worker.ts';

const MiB = 1024 * 1024;
const CRASH_WORKER = new URL('./fixtures/crash-worker.ts', import.meta.url);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-pool-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sharedBytes(n: number): Uint8Array {
  const b = new Uint8Array(new SharedArrayBuffer(n));
  randomFillSync(b);
  return b;
}
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The rejection of `p` (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('resolved'),
    (e: unknown) => e,
  );
}

describe('worker pool errors and lifecycle', () => {
  it('a task that throws in a worker (or inline) rejects with ChunkerError internal', async () => {
    const buf = sharedBytes(64);
    // 100 bytes at offset 60 of a 64-byte buffer: a RangeError inside the worker's task.
    const fromWorker = await rejection(createWorkerPool(1, { onNotice: () => {} }).hash(buf, 60, 100));
    const inline = createInlineExecutor(() => {
      throw new RangeError('scan: range or parameters out of bounds');
    });
    const fromInline = await rejection(inline.cut(buf, 0, 64, newScanState(), resolveParams()));
    for (const e of [fromWorker, fromInline]) {
      expect(e).toBeInstanceOf(ChunkerError);
      expect(e).toMatchObject({ code: 'internal', message: expect.stringContaining('RangeError') as string });
    }
  });

  it('a worker dying mid-task fails its pending tasks with ChunkerError internal and is replaced', async () => {
    const notices: PoolNotice[] = [];
    const pool = createWorkerPool(1, { script: CRASH_WORKER, onNotice: (n) => notices.push(n) });
    const buf = sharedBytes(64);
    expect(await pool.hash(buf, 0, 20)).toBe(sha(buf.subarray(0, 20))); // the worker has started
    // Both go to the only worker; it dies on the first, with the second still pending.
    const [fatal, queued] = await Promise.all([
      rejection(pool.hash(buf, 0, FATAL_LEN)),
      rejection(pool.hash(buf, 0, 30)),
    ]);
    for (const e of [fatal, queued]) {
      expect(e).toBeInstanceOf(ChunkerError);
      expect(e).toMatchObject({
        code: 'internal',
        message: expect.stringContaining('exited with code 7') as string,
      });
    }
    expect(notices).toEqual([{ kind: 'worker-replaced', reason: 'exited with code 7' }]);
    // A new worker takes over; the pool stays on workers.
    expect(await pool.hash(buf, 5, 40)).toBe(sha(buf.subarray(5, 45)));
    expect(pool.status()).toEqual({ mode: 'workers', reason: undefined, workersReplaced: 1 });
  });

  it(`after ${MAX_DEATHS_IN_A_ROW} deaths in a row the pool goes inline, and says so`, async () => {
    const notices: PoolNotice[] = [];
    const pool = createWorkerPool(1, { script: CRASH_WORKER, onNotice: (n) => notices.push(n) });
    const buf = sharedBytes(64);
    await pool.hash(buf, 0, 1);
    for (let k = 0; k < MAX_DEATHS_IN_A_ROW; k++)
      expect(await rejection(pool.hash(buf, 0, FATAL_LEN))).toMatchObject({ code: 'internal' });
    expect(notices.map((n) => n.kind)).toEqual([
      ...Array<string>(MAX_DEATHS_IN_A_ROW - 1).fill('worker-replaced'),
      'inline-fallback',
    ]);
    expect(pool.status()).toMatchObject({ mode: 'inline', workersReplaced: MAX_DEATHS_IN_A_ROW });
    // Inline, the task that killed the workers is just a hash.
    expect(await pool.hash(buf, 0, FATAL_LEN)).toBe(sha(buf.subarray(0, FATAL_LEN)));
  });

  it('the process exits on its own while the pool is idle (workers are unref-ed)', async () => {
    const f = join(dir, 'exit.bin');
    const data = sharedBytes(12 * MiB);
    writeFileSync(f, data);
    const child = new URL('./fixtures/chunk-and-exit.ts', import.meta.url).pathname;
    const t0 = performance.now();
    // A child kept alive by its workers would hit the timeout and be killed (error, signal).
    const { stdout } = await promisify(execFile)(process.execPath, [child, f], { timeout: 30_000 });
    expect(stdout.trim()).toBe(`${chunkBuffer(data).length} workers`);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('chunkFile of a 64 MiB file does not block the event loop', async () => {
    const f = join(dir, 'loop.bin');
    writeFileSync(f, sharedBytes(64 * MiB));
    await chunkFile(f, { params: { maxSize: 8 * MiB } }); // workers started, file in the page cache
    expect(poolMode()).toBe('workers');
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const blocks = await chunkFile(f);
    h.disable();
    expect(blocks.reduce((n, b) => n + b.length, 0)).toBe(64 * MiB);
    // Inline work comes in slices (one 8 MiB cut, one block's hash: a few ms each), which this
    // bound would not see — the poolMode check above is what rules inline out. This bounds the
    // pipeline's own main-thread work (reads are async, tail copies ≤ 4 MiB) and any long
    // synchronous step slipping into it (a whole-file read or hash of 64 MiB). Generous: on a
    // shared 2-core VM a pause of the whole guest must not fail it.
    expect(h.max / 1e6).toBeLessThan(500);
  });
});

describe('worker script inside a packaged app', () => {
  it('app.asar becomes app.asar.unpacked; other URLs are unchanged', () => {
    const cases: Array<[string, string]> = [
      [
        'file:///opt/Cairn/resources/app.asar/dist/worker.mjs',
        'file:///opt/Cairn/resources/app.asar.unpacked/dist/worker.mjs',
      ],
      [
        'file:///C:/Program%20Files/Cairn/resources/app.asar/dist/worker.mjs',
        'file:///C:/Program%20Files/Cairn/resources/app.asar.unpacked/dist/worker.mjs',
      ],
      [
        'file:///Applications/Cairn.app/Contents/Resources/app.asar/dist/worker.mjs',
        'file:///Applications/Cairn.app/Contents/Resources/app.asar.unpacked/dist/worker.mjs',
      ],
      // already unpacked, a look-alike name, development: untouched
      [
        'file:///opt/Cairn/resources/app.asar.unpacked/dist/worker.mjs',
        'file:///opt/Cairn/resources/app.asar.unpacked/dist/worker.mjs',
      ],
      ['file:///home/u/myapp.asar/dist/worker.mjs', 'file:///home/u/myapp.asar/dist/worker.mjs'],
      ['file:///work/main/native-chunker/src/worker.ts', 'file:///work/main/native-chunker/src/worker.ts'],
      ['data:text/javascript,app.asar/x', 'data:text/javascript,app.asar/x'],
    ];
    for (const [from, to] of cases) expect(asarUnpackedUrl(new URL(from)).href).toBe(to);
  });

  it('a pool whose script is inside an app.asar loads it from app.asar.unpacked', async () => {
    // Build the packaged layout: <root>/app.asar/ holds nothing loadable, the real script sits
    // in <root>/app.asar.unpacked/ (here a re-export of the package's worker).
    const root = mkdtempSync(join(tmpdir(), 'cairn-asar-'));
    try {
      const unpacked = join(root, 'app.asar.unpacked', 'dist');
      const real = new URL('../src/worker.ts', import.meta.url).href;
      mkdirSync(unpacked, { recursive: true });
      mkdirSync(join(root, 'app.asar', 'dist'), { recursive: true });
      writeFileSync(join(unpacked, 'worker.mjs'), `import ${JSON.stringify(real)};\n`);
      const notices: PoolNotice[] = [];
      const pool: Executor = createWorkerPool(1, {
        script: new URL(`file://${join(root, 'app.asar', 'dist', 'worker.mjs')}`),
        onNotice: (n) => notices.push(n),
      });
      const buf = sharedBytes(100);
      expect(await pool.hash(buf, 0, 100)).toBe(sha(buf));
      expect(notices).toEqual([]);
      expect(pool.status().mode).toBe('workers');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
