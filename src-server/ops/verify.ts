/**
 * Consistency check of a data dir: database integrity, block reference counts (recomputed
 * from the revisions; corrected only with `fix`), and every block re-hashed.
 *
 * Without `fix` it only reads (one read snapshot for the counts), so it is safe while a
 * server runs; a block the snapshot knew but GC removed meanwhile is re-checked against the
 * live metadata and not reported. With `fix` the caller must hold the data-dir lock.
 *
 * Damage (exit 1 in the CLI): a database integrity problem, a recorded block whose file is
 * missing or whose bytes do not hash to its name, a revision naming an unknown block.
 * Not damage: unreferenced blocks (GC deletes them after the grace period) and block files
 * without a record (an upload interrupted between rename and record; GC deletes them too).
 */
import type { BlockStore } from '../store/blocks.ts';
import type { MetadataStore } from '../store/metadata.ts';

/** Result of {@link runVerify}. */
export interface VerifyReport {
  ok: boolean;
  database: string[];
  blocks: number;
  bytes: number;
  /** Blocks whose stored refcount differs from the recount (GC trusts the stored counts). */
  refcountDrift: number;
  refcountFixed: number;
  missing: string[];
  damaged: string[];
  referencedButUnknown: string[];
  unreferenced: number;
  unrecordedFiles: number;
}

/**
 * Runs the full check (reads every block once). Not ok: database problems, missing or
 * damaged blocks, references to unknown blocks, and refcount drift left unfixed.
 */
export async function runVerify(store: MetadataStore, blocks: BlockStore, opts: { fix?: boolean } = {}): Promise<VerifyReport> {
  const database = await store.integrity();
  const rc = await store.recount(opts.fix ?? false);
  const missing: string[] = [];
  const damaged: string[] = [];
  let bytes = 0;
  const known = new Set<string>();
  for (const b of rc.blocks) {
    known.add(b.hash);
    bytes += b.size;
    const health = await blocks.check(b.hash);
    // A running server's GC may have removed it since the snapshot: that is not damage.
    if (health !== 'ok' && !(await store.blockKnown(b.hash))) continue;
    if (health === 'missing') missing.push(b.hash);
    else if (health === 'damaged') damaged.push(b.hash);
  }
  let unrecordedFiles = 0;
  for await (const f of blocks.list()) if (!known.has(f.hash)) unrecordedFiles++;
  return {
    ok:
      database.length === 0 &&
      missing.length === 0 &&
      damaged.length === 0 &&
      rc.referencedButUnknown.length === 0 &&
      rc.refcountDrift === rc.refcountFixed,
    database,
    blocks: rc.blocks.length,
    bytes,
    refcountDrift: rc.refcountDrift,
    refcountFixed: rc.refcountFixed,
    missing,
    damaged,
    referencedButUnknown: rc.referencedButUnknown,
    unreferenced: rc.blocks.filter((b) => b.refcount === 0).length,
    unrecordedFiles,
  };
}
