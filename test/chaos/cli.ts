/**
 * `npm run test:chaos -- [--share] [--seeds N] [--seed S] [--clients K] [--rounds R] [--ops P] [--ops-file F] [--keep-going] [--no-shrink] [--verbose]`:
 * long chaos campaigns outside the test runner. Prints one line per seed; on a failure prints
 * the problems, the fault schedule, a shrunk operation list (also written to a JSON file), and
 * the commands that replay the seed and the shrunk list; exits 1 (at the end with --keep-going).
 * `--ops-file F` replays an operation list (JSON, as written on a failure) under `--seed`'s faults.
 * `--share` runs share mode: two or three accounts sharing folders (`accountOf` in workload.ts).
 * SIGINT or SIGTERM kills the server and engine processes the campaign started, then exits 130 / 143.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { killChildren, replayCommand, runChaos, shrink } from './harness.ts';
import type { Op } from './workload.ts';

const { values } = parseArgs({
  options: {
    share: { type: 'boolean', default: false },
    seeds: { type: 'string' },
    seed: { type: 'string' },
    clients: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    ops: { type: 'string', default: '6' },
    'ops-file': { type: 'string' },
    'no-shrink': { type: 'boolean', default: false },
    'keep-going': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
const rounds = Number(values.rounds);
const opsPerRound = Number(values.ops);
if (![clients, rounds, opsPerRound].every((n) => Number.isInteger(n) && n > 0) || clients < 2 || clients > 4) {
  console.error('usage: test:chaos -- [--share] [--seeds N] [--seed S] [--clients 2..4] [--rounds R] [--ops P] [--ops-file F] [--keep-going] [--no-shrink]');
  process.exit(2);
}
// Stopped from outside (Ctrl-C, a timeout's SIGTERM): the server and engine processes the
// harness started would outlive the campaign (holding ports and temp dirs). Exits 128 + signal.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    console.log(`chaos: ${signal}: killing the server and engine processes of the campaign`);
    killChildren();
    process.exit(code);
  });
}
const fixedOps = values['ops-file'] !== undefined ? (JSON.parse(readFileSync(values['ops-file'], 'utf8')) as Op[]) : undefined;
const first = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 1e9);
// --seed alone replays one seed; with --seeds it is the first of a band.
const count = values.seeds !== undefined ? Number(values.seeds) : values.seed !== undefined ? 1 : 10;
let clean = 0;
const failedSeeds: number[] = [];
for (let i = 0; i < count; i++) {
  const seed = first + i;
  const opts = { seed, clients, rounds, opsPerRound, ops: fixedOps, share: values.share };
  const t0 = Date.now();
  const r = await runChaos({ ...opts, log: values.verbose ? (l) => console.log(`  ${l}`) : undefined });
  if (!r.problems.length) {
    clean++;
    const kills = r.faults.filter((f) => f.includes('engine kill -9')).length;
    // Share mode: sharing ops that did something, and D28's device-only states seen at checks.
    const states = ['read_only', 'shared_folder_removed', 'nested_share'].filter((c) => r.faults.some((f) => f.startsWith('state: ') && f.includes(` ${c} `)));
    const shared = values.share
      ? `, ${r.faults.filter((f) => f.startsWith('share: ') && !/→ (refused|no |nothing)/u.test(f)).length} share ops done${states.length ? `, seen: ${states.join(' ')}` : ''}`
      : '';
    const faultCount = r.faults.filter((f) => !f.startsWith('share: ') && !f.startsWith('state: ')).length;
    console.log(`seed ${seed}: clean (${r.ops.length} ops, ${faultCount} faults, ${kills} engine kill -9${shared}, ${Date.now() - t0} ms)`);
    if (values.verbose) console.log(`  faults: ${r.faults.join('; ')}`);
    continue;
  }
  failedSeeds.push(seed);
  console.log(`seed ${seed}: FAILED\n  ${r.problems.slice(0, 20).join('\n  ')}\nfaults:\n  ${r.faults.join('\n  ')}`);
  console.log(`replay: ${replayCommand(opts)}`);
  if (!values['no-shrink']) {
    const small = await shrink(opts, r.ops);
    const file = path.join(os.tmpdir(), `cairn-chaos-${seed}-c${clients}${values.share ? '-share' : ''}-shrunk.json`);
    writeFileSync(file, `${JSON.stringify(small, null, 1)}\n`);
    console.log(`shrunk to ${small.length} ops (${file}):\n${JSON.stringify(small)}`);
    console.log(`replay shrunk: ${replayCommand({ ...opts, rounds: Math.min(rounds, small.length) })} --ops-file ${file}`);
  }
  if (values['keep-going']) continue;
  console.log(`${clean} of ${i + 1} seeds clean`);
  process.exit(1);
}
console.log(`${clean} of ${count} seeds clean${failedSeeds.length ? `; failed: ${failedSeeds.join(' ')}` : ''}`);
process.exit(clean === count ? 0 : 1);
