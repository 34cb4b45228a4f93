/**
 * Streams a byte range of a file made of content blocks (downloads, public links, zips).
 */
import { Readable } from 'node:stream';
import type { BlockStore } from '../store/blocks.ts';
import type { BlockRef } from '../store/metadata.ts';

/** Streams bytes `[start, end)` of a file made of `blocks` (in order), block by block. */
export function streamBlocks(store: BlockStore, blocks: BlockRef[], start: number, end: number, onBytes: (n: number) => void): Readable {
  async function* gen(): AsyncGenerator<Buffer> {
    let offset = 0;
    for (const b of blocks) {
      const bStart = offset;
      const bEnd = offset + b.size;
      offset = bEnd;
      if (bEnd <= start) continue;
      if (bStart >= end) break;
      const from = Math.max(start, bStart) - bStart;
      const to = Math.min(end, bEnd) - bStart;
      for await (const chunk of store.read(b.hash, from, to)) {
        onBytes((chunk as Buffer).length);
        yield chunk as Buffer;
      }
    }
  }
  return Readable.from(gen(), { objectMode: false });
}
