/**
 * `npm run bench`: runs every benchmark in turn (chunker, server, sync), each printing its own
 * figures as ratios against a baseline measured in the same run. Extra arguments (e.g.
 * `--quick`) are passed to each benchmark.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const benches = ['chunker.ts', 'server.ts', 'sync.ts'];
let failed = 0;
for (const b of benches) {
  const file = path.join(here, b);
  if (!existsSync(file)) {
    console.log(`\n## ${b}: not present, skipped`);
    continue;
  }
  console.log(`\n## ${b}`);
  const r = spawnSync(process.execPath, [file, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
