/**
 * Streaming chunker and in-memory chunking: offsets in, chunk boundaries out. Pure CPU work,
 * synchronous; for files use chunkFile (src/file.ts), which runs off the main thread.
 */
import { newScanState, scanTs, type Scanner } from './cutter.ts';
import { ChunkerError } from './errors.ts';
import { hashBlock } from './hash.ts';
import { scanNative } from './native.ts';
import { resolveParams, type ChunkParams, type ResolvedParams } from './params.ts';

/** A chunk of a stream: `offset` and `length` in bytes (offset from the stream start; < 2^53). */
export interface Chunk {
  offset: number;
  length: number;
}

/** A chunk with its block hash: lowercase hex SHA-256 of the chunk's bytes. */
export interface HashedChunk extends Chunk {
  hash: string;
}

/** Which cutter is in use: the C++ addon, or the pure-TypeScript fallback. */
export const implementation: 'native' | 'typescript' = scanNative ? 'native' : 'typescript';

/** The scanner in use (native when the addon loaded). */
export const scan: Scanner = scanNative ?? scanTs;

/** A streaming chunker (see {@link createChunker}). */
export interface Chunker {
  /** Feeds the next bytes of the stream; returns the chunks completed by them (possibly none). */
  push(buf: Uint8Array): Chunk[];
  /**
   * Ends the stream; returns the last, unfinished chunk if any bytes are pending. Further
   * pushes throw ChunkerError `internal` (a caller bug).
   */
  finish(): Chunk[];
}

/**
 * Creates a streaming FastCDC chunker. Feed buffers of any size, in stream order; chunks
 * may span buffer boundaries, and the cuts do not depend on how the stream was split.
 * The chunker keeps no data, only the scan state, so memory is O(1).
 * @throws ChunkerError `invalid_params` for out-of-range parameters (see resolveParams).
 */
export function createChunker(params?: Partial<ChunkParams>, scanner: Scanner = scan): Chunker {
  return new StreamChunker(resolveParams(params), scanner);
}

class StreamChunker implements Chunker {
  readonly #p: ResolvedParams;
  readonly #scan: Scanner;
  readonly #st = newScanState();
  #total = 0;
  #last = 0;
  #done = false;
  constructor(p: ResolvedParams, scanner: Scanner) {
    this.#p = p;
    this.#scan = scanner;
  }
  push(buf: Uint8Array): Chunk[] {
    if (this.#done) throw new ChunkerError('internal', 'chunker: push after finish');
    const cuts = this.#scan(buf, 0, buf.length, this.#st, this.#p);
    const out: Chunk[] = [];
    for (let k = 0; k < cuts.length; k++) {
      const end = this.#total + cuts[k]!;
      out.push({ offset: this.#last, length: end - this.#last });
      this.#last = end;
    }
    this.#total += buf.length;
    return out;
  }
  finish(): Chunk[] {
    this.#done = true;
    return this.#total > this.#last ? [{ offset: this.#last, length: this.#total - this.#last }] : [];
  }
}

/**
 * Cuts `buf` (one whole stream) and hashes every chunk, synchronously on the calling thread.
 * Meant for small inputs and tests; it blocks for about 1 ms per MiB.
 * @throws ChunkerError `invalid_params`.
 */
export function chunkBuffer(
  buf: Uint8Array,
  params?: Partial<ChunkParams>,
  scanner: Scanner = scan,
): HashedChunk[] {
  const c = createChunker(params, scanner);
  return [...c.push(buf), ...c.finish()].map((ch) => ({
    ...ch,
    hash: hashBlock(buf.subarray(ch.offset, ch.offset + ch.length)),
  }));
}
