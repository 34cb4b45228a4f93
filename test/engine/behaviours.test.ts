import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdir, readFile, readdir, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { World, exists, treeOf, until } from './helpers.ts';

// One world per describe block keeps the run lean: each test uses its own sub-folder.
let w: World;
beforeAll(async () => {
  w = await World.create();
});
afterAll(async () => {
  await w.cleanup();
});

const conflictCopies = (names: string[]): string[] => names.filter((n) => n.includes('(conflicted copy from'));

describe('engine behaviours (two devices, one account, real server)', () => {
  it('1. first sync merges a folder that already has files with an account that has files', async () => {
    const b = await w.device('B', {}, false);
    await mkdir(path.join(b.folder, 'merge'), { recursive: true });
    await writeFile(path.join(b.folder, 'merge/theirs.txt'), 'B only');
    await writeFile(path.join(b.folder, 'merge/both.txt'), 'B version');
    await writeFile(path.join(b.folder, 'merge/same.txt'), 'same');
    await b.engine.start();
    expect(await b.engine.waitIdle(20_000)).toBe(true);
    const a = await w.device('A', {}, false);
    await mkdir(path.join(a.folder, 'merge'), { recursive: true });
    await writeFile(path.join(a.folder, 'merge/mine.txt'), 'A only');
    await writeFile(path.join(a.folder, 'merge/both.txt'), 'A version');
    await writeFile(path.join(a.folder, 'merge/same.txt'), 'same');
    await a.engine.start();
    await w.settle();
    const names = await readdir(path.join(a.folder, 'merge'));
    expect(names).toEqual(expect.arrayContaining(['mine.txt', 'theirs.txt', 'both.txt', 'same.txt']));
    expect(conflictCopies(names)).toHaveLength(1);
    const copy = conflictCopies(names)[0] as string;
    expect(copy).toMatch(/^both \(conflicted copy from A \d{4}-\d{2}-\d{2}\)\.txt$/u);
    expect(await readFile(path.join(a.folder, 'merge/both.txt'), 'utf8')).toBe('B version');
    expect(await readFile(path.join(a.folder, 'merge', copy), 'utf8')).toBe('A version');
    expect(await treeOf(a.folder)).toEqual(await treeOf(b.folder));
  });

  it('2+3. uploads send only missing blocks; downloads reuse local blocks; mtime and executable bit kept', async () => {
    const [a, b] = w.devs.filter((d) => d.name === 'A' || d.name === 'B').sort((x, y) => (x.name < y.name ? -1 : 1)) as [typeof w.devs[0], typeof w.devs[0]];
    await mkdir(path.join(a.folder, 'blk'), { recursive: true });
    const data = randomBytes(3 * 1024 * 1024);
    await writeFile(path.join(a.folder, 'blk/big.bin'), data);
    await w.settle();
    const up0 = a.engine.stats().bytes_up;
    const down0 = b.engine.stats().bytes_down;
    // Same bytes under a new name: nothing to upload, nothing to download. Written whole, then
    // renamed in: a writer that stalls mid-file lets the scanner commit a partial version, whose
    // last block is new.
    const staging = path.join(w.tmp, 'copy.staging');
    await writeFile(staging, data);
    await rename(staging, path.join(a.folder, 'blk/copy.bin'));
    const script = path.join(a.folder, 'blk/run.sh');
    await writeFile(script, '#!/bin/sh\necho hi\n');
    await chmod(script, 0o755);
    const when = new Date('2020-01-02T03:04:05.000Z');
    await utimes(script, when, when);
    await w.settle();
    expect(a.engine.stats().bytes_up - up0).toBeLessThan(100);
    expect(b.engine.stats().bytes_down - down0).toBeLessThan(100);
    expect((await readFile(path.join(b.folder, 'blk/copy.bin'))).equals(data)).toBe(true);
    const st = await stat(path.join(b.folder, 'blk/run.sh'));
    expect(st.mode & 0o111).not.toBe(0);
    expect(st.mtimeMs).toBe(when.getTime());
  });

  it('4. a folder rename is one move (no re-upload); case-only renames; deletes; empty folders', async () => {
    const a = w.devs.find((d) => d.name === 'A')!;
    const b = w.devs.find((d) => d.name === 'B')!;
    await mkdir(path.join(a.folder, 'mv/src/deep'), { recursive: true });
    for (let i = 0; i < 120; i++) await writeFile(path.join(a.folder, `mv/src/f${i}.txt`), `file ${i}`);
    await writeFile(path.join(a.folder, 'mv/src/deep/x.txt'), 'deep');
    await mkdir(path.join(a.folder, 'mv/empty'), { recursive: true });
    await writeFile(path.join(a.folder, 'mv/Readme.md'), 'readme');
    await w.settle();
    expect(await exists(path.join(b.folder, 'mv/empty'))).toBe(true);
    const up0 = a.engine.stats().bytes_up;
    const acts0 = b.engine.activity(1)[0]?.id ?? 0;
    await rename(path.join(a.folder, 'mv/src'), path.join(a.folder, 'mv/dst'));
    await rename(path.join(a.folder, 'mv/Readme.md'), path.join(a.folder, 'mv/README.md'));
    await w.settle();
    expect(a.engine.stats().bytes_up).toBe(up0);
    const bActs = b.engine.activity(1000).filter((x) => x.id > acts0);
    expect(bActs.filter((x) => x.action === 'moved').map((x) => x.path).sort()).toEqual(['mv/README.md', 'mv/dst']);
    expect(bActs.filter((x) => x.action === 'downloaded')).toHaveLength(0);
    expect(await readdir(path.join(b.folder, 'mv'))).toEqual(expect.arrayContaining(['dst', 'README.md', 'empty']));
    expect(await exists(path.join(b.folder, 'mv/Readme.md'))).toBe(false);
    expect(await readFile(path.join(b.folder, 'mv/dst/deep/x.txt'), 'utf8')).toBe('deep');
    // Deletes: a file and a whole folder on B reach A.
    await rm(path.join(b.folder, 'mv/dst/f1.txt'));
    await rm(path.join(b.folder, 'mv/dst/deep'), { recursive: true });
    await rm(path.join(b.folder, 'mv/empty'), { recursive: true });
    await w.settle();
    expect(await exists(path.join(a.folder, 'mv/dst/f1.txt'))).toBe(false);
    expect(await exists(path.join(a.folder, 'mv/dst/deep'))).toBe(false);
    expect(await exists(path.join(a.folder, 'mv/empty'))).toBe(false);
    expect(await exists(path.join(a.folder, 'mv/dst/f2.txt'))).toBe(true);
    expect(await treeOf(a.folder)).toEqual(await treeOf(b.folder));
  });

  it('5. concurrent edits: first commit wins, the other becomes a conflicted copy everywhere; edit beats delete', async () => {
    const a = w.devs.find((d) => d.name === 'A')!;
    const b = w.devs.find((d) => d.name === 'B')!;
    await mkdir(path.join(a.folder, 'cf'), { recursive: true });
    await writeFile(path.join(a.folder, 'cf/doc.txt'), 'v0');
    await writeFile(path.join(a.folder, 'cf/gone.txt'), 'g0');
    await writeFile(path.join(a.folder, 'cf/ren.txt'), 'r0');
    await w.settle();
    b.engine.pause();
    await writeFile(path.join(a.folder, 'cf/doc.txt'), 'A edit');
    await writeFile(path.join(b.folder, 'cf/doc.txt'), 'B edit');
    await rm(path.join(a.folder, 'cf/gone.txt'));
    await writeFile(path.join(b.folder, 'cf/gone.txt'), 'B kept this');
    await writeFile(path.join(a.folder, 'cf/ren.txt'), 'r1 by A');
    await rename(path.join(b.folder, 'cf/ren.txt'), path.join(b.folder, 'cf/renamed.txt'));
    expect(await a.engine.waitIdle(20_000)).toBe(true);
    b.engine.resume();
    await w.settle();
    const names = await readdir(path.join(a.folder, 'cf'));
    expect(await readFile(path.join(a.folder, 'cf/doc.txt'), 'utf8')).toBe('A edit');
    const copies = conflictCopies(names);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatch(/^doc \(conflicted copy from B /u);
    expect(await readFile(path.join(a.folder, 'cf', copies[0] as string), 'utf8')).toBe('B edit');
    expect(await readFile(path.join(a.folder, 'cf/gone.txt'), 'utf8')).toBe('B kept this');
    expect(names).not.toContain('ren.txt');
    expect(await readFile(path.join(a.folder, 'cf/renamed.txt'), 'utf8')).toBe('r1 by A');
    expect(await treeOf(a.folder)).toEqual(await treeOf(b.folder));
    expect(a.engine.conflicts().filter((c) => c.path.startsWith('cf/'))).toHaveLength(1);
    expect(b.engine.conflicts().find((c) => c.path.startsWith('cf/'))?.original).toBe('cf/doc.txt');
  });

  it('6. real time: an edit on A reaches B without any wait-idle call', async () => {
    const a = w.devs.find((d) => d.name === 'A')!;
    const b = w.devs.find((d) => d.name === 'B')!;
    await w.settle();
    const t0 = Date.now();
    await writeFile(path.join(a.folder, 'rt.txt'), 'now');
    await until(async () => (await exists(path.join(b.folder, 'rt.txt'))) && (await readFile(path.join(b.folder, 'rt.txt'), 'utf8')) === 'now', 10_000, 'push');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('9. ignore rules and selective sync', async () => {
    const a = w.devs.find((d) => d.name === 'A')!;
    const b = w.devs.find((d) => d.name === 'B')!;
    await writeFile(path.join(a.folder, '.cairnignore'), 'build/\n*.log\n');
    await mkdir(path.join(a.folder, 'ig/build'), { recursive: true });
    await writeFile(path.join(a.folder, 'ig/build/out.js'), 'x');
    await writeFile(path.join(a.folder, 'ig/app.log'), 'x');
    await writeFile(path.join(a.folder, 'ig/.DS_Store'), 'x');
    await writeFile(path.join(a.folder, 'ig/~$doc.docx'), 'x');
    await writeFile(path.join(a.folder, 'ig/keep.txt'), 'k');
    await mkdir(path.join(a.folder, 'sel/sub'), { recursive: true });
    await writeFile(path.join(a.folder, 'sel/sub/s.txt'), 's');
    await w.settle();
    expect((await readdir(path.join(b.folder, 'ig'))).sort()).toEqual(['keep.txt']);
    // Exclude on B: its local copy goes (it is all on the server), the server keeps it.
    await writeFile(path.join(b.folder, 'sel/unsynced.txt'), 'made on B just before');
    b.engine.excludeAdd('sel');
    await w.settle();
    expect(await exists(path.join(b.folder, 'sel'))).toBe(false);
    expect(await readFile(path.join(a.folder, 'sel/unsynced.txt'), 'utf8')).toBe('made on B just before');
    await writeFile(path.join(a.folder, 'sel/later.txt'), 'later');
    await w.settle();
    expect(await exists(path.join(b.folder, 'sel'))).toBe(false);
    b.engine.excludeRemove('sel');
    await w.settle();
    expect(await readFile(path.join(b.folder, 'sel/later.txt'), 'utf8')).toBe('later');
    expect(await readFile(path.join(b.folder, 'sel/sub/s.txt'), 'utf8')).toBe('s');
  });

  it('10. things it cannot sync are reported: symlinks, invalid names', async () => {
    const a = w.devs.find((d) => d.name === 'A')!;
    await symlink('/etc/hostname', path.join(a.folder, 'link'));
    await writeFile(path.join(a.folder, 'back\\slash.txt'), 'x');
    await writeFile(path.join(a.folder, 'aux.txt'), 'windows cannot');
    await w.settle();
    const issues = a.engine.status().issues;
    expect(issues.find((i) => i.path === 'link')?.code).toBe('symlink');
    expect(issues.find((i) => i.path === 'back\\slash.txt')?.code).toBe('path_invalid');
    expect(issues.find((i) => i.path === 'aux.txt')?.code).toBe('non_portable');
    const b = w.devs.find((d) => d.name === 'B')!;
    expect(await exists(path.join(b.folder, 'aux.txt'))).toBe(true);
    expect(await exists(path.join(b.folder, 'link'))).toBe(false);
    await rm(path.join(a.folder, 'link'));
    await rm(path.join(a.folder, 'back\\slash.txt'));
  });

  it('names that collide ignoring case are kept as a conflicted copy, not left unsynced', async () => {
    const a = w.devs.find((d) => d.name === 'A')!;
    const b = w.devs.find((d) => d.name === 'B')!;
    await mkdir(path.join(a.folder, 'case'), { recursive: true });
    await writeFile(path.join(a.folder, 'case/Doc.txt'), 'upper');
    await writeFile(path.join(a.folder, 'case/doc.txt'), 'lower');
    await w.settle();
    const names = (await readdir(path.join(b.folder, 'case'))).sort();
    expect(names).toHaveLength(2);
    const contents = await Promise.all(names.map((n) => readFile(path.join(b.folder, 'case', n), 'utf8')));
    expect(contents.sort()).toEqual(['lower', 'upper']);
    expect(names.some((n) => n.includes('conflicted copy'))).toBe(true);
  });

  it('history, restore of an old revision, and undelete reach every device', async () => {
    const a = w.devs.find((d) => d.name === 'A')!;
    const b = w.devs.find((d) => d.name === 'B')!;
    await writeFile(path.join(a.folder, 'hist.txt'), 'one');
    await w.settle();
    await writeFile(path.join(a.folder, 'hist.txt'), 'two');
    await w.settle();
    const revs = await b.engine.history('hist.txt');
    expect(revs).toHaveLength(2);
    await b.engine.restore('hist.txt', (revs[1] as { rev: string }).rev);
    await w.settle();
    expect(await readFile(path.join(a.folder, 'hist.txt'), 'utf8')).toBe('one');
    await rm(path.join(a.folder, 'hist.txt'));
    await w.settle();
    expect(await exists(path.join(b.folder, 'hist.txt'))).toBe(false);
    expect((await b.engine.deleted('')).map((e) => e.path)).toContain('hist.txt');
    await b.engine.undelete('hist.txt');
    await w.settle();
    expect(await readFile(path.join(a.folder, 'hist.txt'), 'utf8')).toBe('one');
    await expect(b.engine.history('no/such/file.txt')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('13. mass-delete guard holds, reject restores; a vanished root stops the engine', async () => {
    const a = w.devs.find((d) => d.name === 'A')!;
    const b = w.devs.find((d) => d.name === 'B')!;
    await mkdir(path.join(a.folder, 'mass'), { recursive: true });
    for (let i = 0; i < 30; i++) await writeFile(path.join(a.folder, `mass/m${i}.txt`), `m${i}`);
    await w.settle();
    // Delete most of the tree on A: held, nothing deleted on the server or on B.
    const all = await readdir(a.folder);
    for (const n of all) if (n !== '.cairnignore') await rm(path.join(a.folder, n), { recursive: true });
    await until(() => a.engine.status().state === 'held', 10_000, 'held');
    const st = a.engine.status();
    expect(st.held_deletes?.side).toBe('remote');
    expect(st.held_deletes?.count).toBeGreaterThan(30);
    expect(await exists(path.join(b.folder, 'mass/m3.txt'))).toBe(true);
    a.engine.rejectDeletes();
    await w.settle();
    expect(await readFile(path.join(a.folder, 'mass/m3.txt'), 'utf8')).toBe('m3');
    expect(await treeOf(a.folder)).toEqual(await treeOf(b.folder));
    // The root vanishes: error state, nothing deleted anywhere; it comes back: in sync.
    await rename(a.folder, `${a.folder}.away`);
    await until(() => a.engine.status().state === 'error', 10_000, 'error');
    expect(a.engine.status().error?.code).toBe('sync_root_missing');
    await rename(`${a.folder}.away`, a.folder);
    expect(await b.engine.waitIdle(10_000)).toBe(true);
    expect(await exists(path.join(b.folder, 'mass/m3.txt'))).toBe(true);
    for (const d of w.devs) expect(d.engine.integrityCheck()).toEqual([]);
  });
});
