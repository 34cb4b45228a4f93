/**
 * `npm run test:chaos -- [--seeds N] [--seed S] [--clients K] [--rounds R] [--ops P] [--keep-going] [--no-shrink]`:
 * long chaos campaigns outside the test runner. Prints one line per seed; on a failure prints
 * the problems, the fault schedule, a shrunk operation list, and the replay command; exits 1.
 */
import { parseArgs } from 'node:util';
import { replayCommand, runChaos, shrink } from './harness.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    seed: { type: 'string' },
    clients: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    ops: { type: 'string', default: '6' },
    'no-shrink': { type: 'boolean', default: false },
    'keep-going': { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
const rounds = Number(values.rounds);
const opsPerRound = Number(values.ops);
if (![clients, rounds, opsPerRound].every((n) => Number.isInteger(n) && n > 0) || clients > 4) {
  console.error('usage: test:chaos -- [--seeds N] [--seed S] [--clients 2..4] [--rounds R] [--ops P]');
  process.exit(2);
}
const first = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 1e9);
// --seed alone replays one seed; with --seeds it is the first of a band.
const count = values.seeds !== undefined ? Number(values.seeds) : values.seed !== undefined ? 1 : 10;
let clean = 0;
for (let i = 0; i < count; i++) {
  const seed = first + i;
  const opts = { seed, clients, rounds, opsPerRound };
  const t0 = Date.now();
  const r = await runChaos(opts);
  if (!r.problems.length) {
    clean++;
    console.log(`seed ${seed}: clean (${r.ops.length} ops, ${r.faults.length} faults, ${Date.now() - t0} ms)`);
    continue;
  }
  console.log(`seed ${seed}: FAILED\n  ${r.problems.slice(0, 20).join('\n  ')}\nfaults:\n  ${r.faults.join('\n  ')}`);
  if (!values['no-shrink']) {
    const small = await shrink(opts, r.ops);
    console.log(`shrunk to ${small.length} ops:\n${JSON.stringify(small, null, 1)}`);
  }
  console.log(`replay: ${replayCommand(opts)}`);
  if (values['keep-going']) continue;
  console.log(`${clean} of ${i + 1} seeds clean`);
  process.exit(1);
}
console.log(`${clean} of ${count} seeds clean`);
process.exit(clean === count ? 0 : 1);
