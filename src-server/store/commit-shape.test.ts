import { expect, it } from 'vitest';
import { CHUNK_PARAMS_V1, MAX_BLOCKS_PER_COMMIT, type CommitRequest } from '../../src-shared/index.ts';
import { checkBatchBudget, checkCommitShape, maxBlocksForSize } from './commit-shape.ts';

const MIN = CHUNK_PARAMS_V1.minSize;
const H = 'e'.repeat(64);
const req = (blocks: number, size: number): CommitRequest => ({
  path: 'f',
  parent_rev: null,
  blocks: Array(blocks).fill(H),
  size,
  mtime: 0,
});

it('allows exactly the block counts a v1 chunker can produce', () => {
  expect([
    maxBlocksForSize(0),
    maxBlocksForSize(MIN - 1),
    maxBlocksForSize(MIN),
    maxBlocksForSize(3 * MIN + 5),
  ]).toEqual([1, 1, 2, 4]);
  expect(() => checkCommitShape(req(0, 0))).not.toThrow();
  expect(() => checkCommitShape(req(4, 3 * MIN + 5))).not.toThrow();
  expect(() => checkCommitShape(req(5, 3 * MIN + 5))).toThrow(
    expect.objectContaining({ code: 'bad_request', details: { blocks: 5, max_blocks: 4 } }),
  );
  // The reviewer's hostile commit: a 2-byte block repeated 262,144 times.
  expect(() => checkCommitShape(req(MAX_BLOCKS_PER_COMMIT, 2 * MAX_BLOCKS_PER_COMMIT))).toThrow(
    expect.objectContaining({ code: 'bad_request' }),
  );
});

it('bounds the blocks of a whole batch by one commit', () => {
  const half = MAX_BLOCKS_PER_COMMIT / 2;
  expect(() => checkBatchBudget([req(half, 0), req(half, 0)])).not.toThrow();
  expect(() => checkBatchBudget([req(half, 0), req(half + 1, 0)])).toThrow(
    expect.objectContaining({ code: 'bad_request' }),
  );
});
