/**
 * Cheap shape checks of commits, run before any SQL so that a hostile request costs
 * O(blocks) JavaScript and no database work.
 *
 * Why the block-count bound is legitimate: protocol v1 freezes the chunker (FastCDC with
 * {@link CHUNK_PARAMS_V1}, docs/decisions.md D6), which never cuts a block shorter than
 * `minSize` except the file's last one. A file of `size` bytes therefore has at most
 * `floor(size / minSize) + 1` blocks; more can only come from a client that does not speak
 * protocol v1 (e.g. a 2-byte block repeated 262,144 times to make the server do work).
 *
 * May import: src-shared.
 */
import {
  CHUNK_PARAMS_V1,
  CairnError,
  MAX_BLOCKS_PER_COMMIT,
  type CommitRequest,
} from '../../src-shared/index.ts';

/** Most blocks a v1 client can produce for a file of `size` bytes. */
export function maxBlocksForSize(size: number): number {
  return Math.floor(size / CHUNK_PARAMS_V1.minSize) + 1;
}

/**
 * Refuses a commit with more blocks than its size allows.
 * @throws CairnError `bad_request` (details: `blocks`, `max_blocks`)
 */
export function checkCommitShape(req: CommitRequest): void {
  const max = maxBlocksForSize(req.size);
  if (req.blocks.length > max) {
    throw new CairnError(
      'bad_request',
      `a file of ${req.size} bytes has at most ${max} blocks in protocol v1`,
      {
        blocks: req.blocks.length,
        max_blocks: max,
      },
    );
  }
}

/**
 * Work budget of a batch commit: all its items together carry at most as many blocks as
 * one commit may ({@link MAX_BLOCKS_PER_COMMIT}), so a batch costs at most one large commit.
 * @throws CairnError `bad_request` (details: `blocks`, `max_blocks`)
 */
export function checkBatchBudget(reqs: CommitRequest[]): void {
  let total = 0;
  for (const r of reqs) total += r.blocks.length;
  if (total > MAX_BLOCKS_PER_COMMIT) {
    throw new CairnError('bad_request', `a batch carries at most ${MAX_BLOCKS_PER_COMMIT} blocks in all`, {
      blocks: total,
      max_blocks: MAX_BLOCKS_PER_COMMIT,
    });
  }
}
