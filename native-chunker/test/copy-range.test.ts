/**
 * copyRange (cc/copy_range.cc): bytes land at the shifted offset and nowhere else, long ranges
 * are looped to completion, a source that ends early is a failure (never a silent short copy),
 * refusals come back as CopyRangeUnsupported (the caller falls back to read/write), and bad
 * arguments are refused before any syscall.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CopyRangeUnsupported, copyRange } from '../src/copy-range.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-copy-range-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!copyRange)('copyRange', () => {
  const cr = copyRange as NonNullable<typeof copyRange>;

  it('copies a range to an unaligned offset, leaving the rest of the target untouched', async () => {
    const src = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(path.join(dir, 'src'), src);
    writeFileSync(path.join(dir, 'dst'), Buffer.alloc(10, 0x5a));
    const a = await open(path.join(dir, 'src'), 'r');
    const b = await open(path.join(dir, 'dst'), 'r+');
    try {
      expect(await cr(a.fd, 5, b.fd, 1, src.length - 5)).toBe(src.length - 5);
      expect(await cr(a.fd, 0, b.fd, src.length - 4, 3)).toBe(3);
    } finally {
      await a.close();
      await b.close();
    }
    const got = readFileSync(path.join(dir, 'dst'));
    expect(got.length).toBe(src.length - 1);
    expect(got[0]).toBe(0x5a);
    expect(got.subarray(1, src.length - 4).equals(src.subarray(5))).toBe(true);
    expect(got.subarray(src.length - 4).equals(src.subarray(0, 3))).toBe(true);
  });

  it('fails with SHORT when the source ends before the range', async () => {
    writeFileSync(path.join(dir, 'small'), Buffer.from('hello'));
    const a = await open(path.join(dir, 'small'), 'r');
    const b = await open(path.join(dir, 'out'), 'w+');
    try {
      await expect(cr(a.fd, 0, b.fd, 0, 100)).rejects.toMatchObject({ code: 'SHORT' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a descriptor it cannot use is a CopyRangeUnsupported refusal', async () => {
    const a = await open(path.join(dir, 'src'), 'r');
    const b = await open(path.join(dir, 'ro-target'), 'w+');
    const ro = await open(path.join(dir, 'ro-target'), 'r');
    try {
      // Writing into a read-only descriptor: EBADF.
      const err = await cr(a.fd, 0, ro.fd, 0, 10).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CopyRangeUnsupported);
      expect((err as CopyRangeUnsupported).code).toBe('EBADF');
    } finally {
      await a.close();
      await b.close();
      await ro.close();
    }
  });

  it('refuses arguments that are not integers in range, before any syscall', () => {
    for (const args of [
      [-1, 0, 1, 0, 1],
      [0, -1, 1, 0, 1],
      [0, 0, 1, 0.5, 1],
      [0, 0, 1, 0, Number.NaN],
      [0, 0, 1, 0, 2 ** 53],
      [2 ** 31, 0, 1, 0, 1],
    ] as Array<[number, number, number, number, number]>) {
      expect(() => cr(...args)).toThrow(RangeError);
    }
  });
});
