/**
 * Garbage collection pass: prunes history past the retention window and compacts the
 * journal (metadata store), then deletes the bytes of blocks nothing references any more
 * and of block files that were never recorded (an upload killed between rename and
 * record), both only once older than the grace period. Each deletion holds the block's
 * lock and re-checks the metadata, so a concurrent upload of the same hash is never lost.
 */
import type { BlockStore } from '../store/blocks.ts';
import type { GcReport, MetadataStore } from '../store/metadata.ts';
import type { KeyedMutex } from '../store/keyed-mutex.ts';

/** What one pass did. */
export interface GcSummary extends Omit<GcReport, 'blocksDeleted'> {
  blocksDeleted: number;
  orphanFilesDeleted: number;
}

/** Default grace period before an unreferenced block is deleted (ms): 24 h. */
export const DEFAULT_GRACE_MS = 24 * 3600 * 1000;

/** Runs one GC pass. `now`, `retentionMs`, `graceMs` in ms. */
export async function runGc(
  d: { store: MetadataStore; blocks: BlockStore; locks: KeyedMutex },
  o: { now: number; retentionMs: number; graceMs: number },
): Promise<GcSummary> {
  const report = await d.store.gc(o.now, o.retentionMs, o.graceMs);
  let blocksDeleted = 0;
  for (const hash of report.blocksDeleted) {
    await d.locks.run(hash, async () => {
      if (!(await d.store.blockKnown(hash))) {
        await d.blocks.delete(hash);
        blocksDeleted++;
      }
    });
  }
  let orphanFilesDeleted = 0;
  for await (const f of d.blocks.list()) {
    if (f.mtimeMs >= o.now - o.graceMs) continue;
    if (await d.store.blockKnown(f.hash)) continue;
    await d.locks.run(f.hash, async () => {
      if (!(await d.store.blockKnown(f.hash))) {
        await d.blocks.delete(f.hash);
        orphanFilesDeleted++;
      }
    });
  }
  return {
    revisionsPruned: report.revisionsPruned,
    entriesPurged: report.entriesPurged,
    journalRecordsCompacted: report.journalRecordsCompacted,
    blocksDeleted,
    orphanFilesDeleted,
  };
}
