/**
 * chunkFile / chunkFileStream on real files: agreement with the vectors, bad input, torn
 * reads (the file changed while read), abort, sparse files and offsets past 4 GiB.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  readdirSync,
  readlinkSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { chunkBuffer, type HashedChunk } from '../src/chunker.ts';
import { ChunkerError } from '../src/errors.ts';
import {
  chunkFile,
  chunkFileBlocks,
  chunkFileStream,
  COARSE_RACY_MARGIN_MS,
  MAX_RACY_WAIT_MS,
  RACY_MARGIN_MS,
  racyWaitMs,
  segmentRange,
  type Clock,
  type PipelineTuning,
} from '../src/file.ts';
import { createWorkerPool, inlineExecutor, type PoolNotice } from '../src/pool.ts';
import { prngBytes } from './scanners.ts';
import { buildStream, type StreamSpec } from './streams.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-chunker-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 1024 * 1024;
const v24 = (
  JSON.parse(readFileSync(new URL('./vectors-v1.json', import.meta.url), 'utf8')) as {
    vectors: Array<{ name: string; stream: StreamSpec; chunks: Array<[number, number, string]> }>;
  }
).vectors.find((v) => v.name === 'random-24MiB-v1')!;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ChunkerError) return e.code;
    throw e;
  }
  return 'resolved';
}

describe('chunkFile', () => {
  const tunings: Array<[string, PipelineTuning]> = [
    ['worker pool, default segments', {}],
    ['worker pool, minimal segments', { segBytes: 1 }],
    ['inline executor', { executor: inlineExecutor, segBytes: 9 * MiB }],
  ];
  for (const [name, tuning] of tunings) {
    it(`reproduces the 24 MiB vector (${name})`, async () => {
      const f = join(dir, 'v24.bin');
      writeFileSync(f, buildStream(v24.stream));
      const got = await chunkFile(f, {}, tuning);
      expect(got.map((c) => [c.offset, c.length, c.hash])).toEqual(v24.chunks);
    });
  }

  it('streams blocks with their bytes, in order', async () => {
    const f = join(dir, 'stream.bin');
    const data = Buffer.from(prngBytes(7, 20 * MiB + 12345));
    writeFileSync(f, data);
    const got: HashedChunk[] = [];
    let pos = 0;
    for await (const c of chunkFileStream(f, {}, { segBytes: 1 })) {
      expect(c.offset).toBe(pos);
      expect(c.data.equals(data.subarray(c.offset, c.offset + c.length))).toBe(true);
      expect(createHash('sha256').update(c.data).digest('hex')).toBe(c.hash);
      got.push({ offset: c.offset, length: c.length, hash: c.hash });
      pos += c.length;
    }
    expect(pos).toBe(data.length);
    expect(got).toEqual(chunkBuffer(data));
  });

  it('yields the blocks without bytes, in order, as chunkFile finds them', async () => {
    const f = join(dir, 'blocks.bin');
    const data = Buffer.from(prngBytes(8, 20 * MiB + 777));
    writeFileSync(f, data);
    const got: HashedChunk[] = [];
    for await (const c of chunkFileBlocks(f, {}, { segBytes: 1 })) {
      expect(Object.keys(c).sort()).toEqual(['hash', 'length', 'offset']);
      got.push(c);
    }
    expect(got.length).toBeGreaterThan(5);
    expect(got).toEqual(chunkBuffer(data));
  });

  it('a stream consumer may stop early; the file is released and the pool keeps working', async () => {
    const f = join(dir, 'early.bin');
    const data = Buffer.from(prngBytes(8, 40 * MiB));
    writeFileSync(f, data);
    const openFds = (): string[] =>
      readdirSync('/proc/self/fd').map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '';
        }
      });
    let n = 0;
    for await (const c of chunkFileStream(f, {}, { segBytes: 1 })) {
      expect(c.data.length).toBe(c.length);
      expect(openFds()).toContain(f);
      if (++n === 2) break;
    }
    expect(n).toBe(2);
    expect(openFds()).not.toContain(f); // the handle was closed
    expect(await chunkFile(f)).toEqual(chunkBuffer(data));
  });

  it('small files (inline path) and custom params', async () => {
    const f = join(dir, 'small.bin');
    const data = Buffer.from(prngBytes(3, 200_000));
    writeFileSync(f, data);
    const p = { minSize: 1024, avgSize: 4096, maxSize: 16384 };
    expect(await chunkFile(f, { params: p })).toEqual(chunkBuffer(data, p));
    expect(await chunkFile(f, { params: p }, { inlineMaxBytes: 0, segBytes: 1 })).toEqual(
      chunkBuffer(data, p),
    );
  });

  it('an empty file has zero blocks', async () => {
    const f = join(dir, 'empty');
    writeFileSync(f, '');
    expect(await chunkFile(f)).toEqual([]);
    const it = chunkFileStream(f)[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(true);
  });

  const badInputs: Array<[string, () => string, string]> = [
    ['a missing file', () => join(dir, 'missing'), 'not_found'],
    ['a path below a missing folder', () => join(dir, 'missing', 'below'), 'not_found'],
    [
      'a dangling symlink',
      () => {
        symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
        return join(dir, 'dangling');
      },
      'not_found',
    ],
    ['a folder', () => dir, 'is_directory'],
    [
      'a FIFO (opened non-blocking: never hangs)',
      () => {
        execFileSync('mkfifo', [join(dir, 'fifo')]);
        return join(dir, 'fifo');
      },
      'unreadable',
    ],
    // An I/O error while reading (EIO: /proc/self/mem at offset 0 is unmapped). Root cannot
    // test EACCES, which maps the same way.
    ...(existsSync('/proc/self/mem')
      ? [['a read failing with EIO', () => '/proc/self/mem', 'unreadable'] as [string, () => string, string]]
      : []),
  ];
  it.each(badInputs)('%s gets a stable code', async (_name, make, code) => {
    expect(await codeOf(chunkFile(make()))).toBe(code);
  });
  it('bad params get invalid_params', async () => {
    writeFileSync(join(dir, 'ok'), 'x');
    expect(await codeOf(chunkFile(join(dir, 'ok'), { params: { minSize: 1 } }))).toBe('invalid_params');
  });

  it('rejects with the abort reason when aborted', async () => {
    const f = join(dir, 'abort.bin');
    writeFileSync(f, prngBytes(5, 40 * MiB));
    const ac = new AbortController();
    const p = chunkFile(
      f,
      { signal: ac.signal },
      { segBytes: 1, afterRead: (s) => (s === 1 ? ac.abort(new Error('stop')) : undefined) },
    );
    await expect(p).rejects.toThrow('stop');
    await expect(chunkFile(f, { signal: AbortSignal.abort(new Error('early')) })).rejects.toThrow('early');
  });
});

describe('chunkFile detects a file changed during read', () => {
  const size = 30 * MiB;
  const mutations: Array<[string, (f: string) => void]> = [
    ['grows', (f) => appendFileSync(f, 'more')],
    ['shrinks', (f) => truncateSync(f, size - 5 * MiB)],
    ['shrinks by one byte', (f) => truncateSync(f, size - 1)],
    [
      'is rewritten in place with its mtime restored',
      (f) => {
        const st = statSync(f);
        const fd = openSync(f, 'r+');
        writeSync(fd, Buffer.from('rewritten'), 0, 9, 20 * MiB);
        closeSync(fd);
        utimesSync(f, st.atime, st.mtime);
      },
    ],
    [
      'is replaced by rename',
      (f) => {
        writeFileSync(f + '.new', prngBytes(9, size));
        renameSync(f + '.new', f);
      },
    ],
    ['is deleted', (f) => rmSync(f)],
  ];
  for (const [name, mutate] of mutations) {
    it(`when it ${name}`, async () => {
      const f = join(dir, 'torn.bin');
      writeFileSync(f, prngBytes(11, size));
      const tuning: PipelineTuning = { segBytes: 1, afterRead: (s) => (s === 0 ? mutate(f) : undefined) };
      expect(await codeOf(chunkFile(f, {}, tuning))).toBe('changed_during_read');
    });
  }
  it('also on the inline path for small files', async () => {
    const f = join(dir, 'torn-small.bin');
    writeFileSync(f, prngBytes(12, 1000));
    expect(await codeOf(chunkFile(f, {}, { afterRead: () => appendFileSync(f, 'x') }))).toBe(
      'changed_during_read',
    );
  });
});

describe('racy timestamps (a rewrite within one clock tick)', () => {
  const ms = (x: number): bigint => BigInt(Math.round(x * 1e6)); // ms → ns
  const now = 1_763_700_000_123.4;
  it.each<[string, number, number, number]>([
    ['old stamps', now - 1000, now - 1000, 0],
    ['an mtime 5 ms old', now - 5, now - 30, 15],
    ['a ctime 1 ms old (mtime restored by utimes)', now - 5000, now - 1, 19],
    ['stamps 10 ms in the future', now + 10, now + 10, 30],
    [
      'stamps far in the future (utimes, server clock): waiting would never end',
      now + 60_000,
      now + 60_000,
      0,
    ],
    ['a whole-second mtime on a fine filesystem (ctime not whole)', 1_763_700_000_000, now - 500, 0],
  ])('%s: wait %s/%s → %s ms', (_name, mtime, ctime, wait) => {
    expect(racyWaitMs({ mtimeNs: ms(mtime), ctimeNs: ms(ctime) }, now)).toBe(wait);
  });
  it('whole-second stamps (FAT, HFS+) need a longer wait than the chunker will hold a file open', () => {
    const stamp = ms(1_763_700_000_000);
    const wait = racyWaitMs({ mtimeNs: stamp, ctimeNs: stamp }, 1_763_700_000_500);
    expect(wait).toBe(COARSE_RACY_MARGIN_MS - 500);
    expect(wait).toBeGreaterThan(MAX_RACY_WAIT_MS);
    expect(RACY_MARGIN_MS).toBeLessThan(MAX_RACY_WAIT_MS);
  });

  /** A clock that starts `offsetMs` after the file's ctime and advances only by sleeping. */
  function fakeClock(f: string, offsetMs: number, onSleep?: (c: { t: number }) => void) {
    const c = {
      t: Number(statSync(f, { bigint: true }).ctimeNs / 1000n) / 1000 + offsetMs,
      sleeps: [] as number[],
    };
    const clock: Clock = {
      now: () => c.t,
      sleep: async (d) => {
        c.sleeps.push(d);
        c.t += d;
        onSleep?.(c);
      },
    };
    return { c, clock };
  }

  it.each([
    ['small (read in one go)', 5000],
    ['large (worker pipeline)', 3 * MiB],
  ])('a %s file just written is read only after its stamps have aged', async (_n, size) => {
    const f = join(dir, `fresh-${size}.bin`);
    const data = Buffer.from(prngBytes(40, size));
    writeFileSync(f, data);
    const events: string[] = [];
    const { c, clock } = fakeClock(f, 1, () => events.push('sleep'));
    const got = await chunkFile(f, {}, { clock, segBytes: 1, afterRead: () => void events.push('read') });
    expect(got).toEqual(chunkBuffer(data));
    expect(c.sleeps).toHaveLength(1);
    expect(c.sleeps[0]).toBeGreaterThanOrEqual(RACY_MARGIN_MS - 1);
    expect(c.sleeps[0]).toBeLessThanOrEqual(RACY_MARGIN_MS);
    expect(events[0]).toBe('sleep');
  });

  it('stamps older than the margin: no wait', async () => {
    const f = join(dir, 'aged.bin');
    writeFileSync(f, prngBytes(41, 5000));
    const { c, clock } = fakeClock(f, RACY_MARGIN_MS + 1);
    await chunkFile(f, {}, { clock });
    expect(c.sleeps).toEqual([]);
  });

  it('a file rewritten (same size) while its stamps age is read as the new version', async () => {
    const f = join(dir, 'rewritten-while-waiting.bin');
    writeFileSync(f, prngBytes(42, 5000));
    const second = Buffer.from(prngBytes(43, 5000));
    const { c, clock } = fakeClock(f, 1, (clk) => {
      if (c.sleeps.length > 1) return;
      const fd = openSync(f, 'r+'); // in place: same inode, same size
      writeSync(fd, second, 0, second.length, 0);
      closeSync(fd);
      // the clock moves on past the new stamps too
      clk.t = Number(statSync(f, { bigint: true }).ctimeNs / 1000n) / 1000 + RACY_MARGIN_MS + 1;
    });
    expect(await chunkFile(f, {}, { clock })).toEqual(chunkBuffer(second));
    expect(c.sleeps).toHaveLength(1);
  });

  it('a file that keeps being written is changed_during_read', async () => {
    const f = join(dir, 'busy.bin');
    writeFileSync(f, prngBytes(44, 5000));
    const { c, clock } = fakeClock(f, 1, (clk) => {
      appendFileSync(f, 'x');
      clk.t = Number(statSync(f, { bigint: true }).ctimeNs / 1000n) / 1000 + 1;
    });
    expect(await codeOf(chunkFile(f, {}, { clock }))).toBe('changed_during_read');
    expect(c.sleeps.length).toBeGreaterThan(1);
  });
});

describe('large and sparse files', () => {
  it('segment offsets stay exact past 4 GiB and 2^53 / 2', () => {
    expect(segmentRange(600, 8 * MiB, 5 * 1024 * MiB + 3)).toEqual({ pos: 600 * 8 * MiB, len: 8 * MiB });
    expect(segmentRange(640, 8 * MiB, 5 * 1024 * MiB + 3)).toEqual({ pos: 5 * 1024 * MiB, len: 3 });
    expect(segmentRange(2 ** 29, 2 ** 23, 2 ** 52 + 7)).toEqual({ pos: 2 ** 52, len: 7 });
  });

  it('a sparse 4 GiB file with data at the end: exact 64-bit offsets', async () => {
    // tmpfs reads holes from the zero page (0.2 s for 4 GiB); ext4 zero-fills page cache (~6 s).
    const shm = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/cairn-chunker-') : dir;
    const f = join(shm, 'sparse.bin');
    onTestFinished(() => rmSync(shm === dir ? f : shm, { recursive: true, force: true }));
    const tail = Buffer.from(prngBytes(13, 3 * MiB + 77));
    const fd = openSync(f, 'w');
    writeSync(fd, tail, 0, tail.length, 4 * 1024 * MiB);
    closeSync(fd);
    const got = await chunkFile(f);
    const zeros = createHash('sha256')
      .update(Buffer.alloc(4 * MiB))
      .digest('hex');
    expect(
      got
        .slice(0, 1024)
        .every((c, i) => c.offset === i * 4 * MiB && c.length === 4 * MiB && c.hash === zeros),
    ).toBe(true);
    expect(got.slice(1024)).toEqual(
      chunkBuffer(tail).map((c) => ({ ...c, offset: c.offset + 4 * 1024 * MiB })),
    );
    expect(got.at(-1)!.offset + got.at(-1)!.length).toBe(4 * 1024 * MiB + tail.length);
  }, 120_000);
});

describe('worker pool', () => {
  it('serves several files at once (cuts of different files interleave on the cutter worker)', async () => {
    const files = [0, 1, 2, 3].map((k) => {
      const f = join(dir, `multi-${k}.bin`);
      const data = Buffer.from(prngBytes(30 + k, 10 * MiB + k * 77_777));
      writeFileSync(f, data);
      return { f, data };
    });
    const got = await Promise.all(files.map(({ f }) => chunkFile(f, {}, { segBytes: 1 })));
    got.forEach((g, k) => expect(g).toEqual(chunkBuffer(files[k]!.data)));
  });
  it('falls back to inline work when worker threads cannot start', async () => {
    const f = join(dir, 'noworker.bin');
    const data = Buffer.from(prngBytes(21, 12 * MiB));
    writeFileSync(f, data);
    const notices: PoolNotice[] = [];
    const broken = createWorkerPool(2, {
      script: new URL('file:///nonexistent/cairn-worker.ts'),
      onNotice: (n) => notices.push(n),
    });
    expect(await chunkFile(f, {}, { executor: broken, segBytes: 1 })).toEqual(chunkBuffer(data));
    expect(await chunkFile(f, {}, { executor: broken })).toEqual(chunkBuffer(data));
    // Never silent: one notice saying why, and the status tells anyone who asks later.
    expect(notices).toEqual([
      { kind: 'inline-fallback', reason: expect.stringContaining('could not start') as string },
    ]);
    expect(broken.status()).toMatchObject({ mode: 'inline', reason: notices[0]!.reason });
  });
  it('a TypeScript-only pool cuts like the native one', async () => {
    const f = join(dir, 'tspool.bin');
    const data = Buffer.from(prngBytes(22, 12 * MiB));
    writeFileSync(f, data);
    expect(
      await chunkFile(f, {}, { executor: createWorkerPool(2, { typescript: true }), segBytes: 1 }),
    ).toEqual(chunkBuffer(data));
  });
});
