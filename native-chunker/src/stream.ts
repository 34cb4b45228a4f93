/**
 * The streaming chunker over any {@link Scanner}, and whole-buffer chunking with any block
 * hash. Portable: no Node built-ins (src/portable.ts builds on it; src/chunker.ts adds the
 * native scanner).
 */
import { newScanState, type Scanner } from './cutter.ts';
import { ChunkerError } from './errors.ts';
import type { ResolvedParams } from './params.ts';

/** A chunk of a stream: `offset` and `length` in bytes (offset from the stream start; < 2^53). */
export interface Chunk {
  offset: number;
  length: number;
}

/** A chunk with its block hash: lowercase hex SHA-256 of the chunk's bytes. */
export interface HashedChunk extends Chunk {
  hash: string;
}

/** A streaming chunker (see `createChunker`). */
export interface Chunker {
  /** Feeds the next bytes of the stream; returns the chunks completed by them (possibly none). */
  push(buf: Uint8Array): Chunk[];
  /**
   * Ends the stream; returns the last, unfinished chunk if any bytes are pending. Further
   * pushes throw ChunkerError `internal` (a caller bug).
   */
  finish(): Chunk[];
}

/** A streaming chunker with validated parameters `p` and cutter `scanner`. O(1) memory. */
export function createStreamChunker(p: ResolvedParams, scanner: Scanner): Chunker {
  return new StreamChunker(p, scanner);
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

/** Cuts `buf` (one whole stream) with `scanner` and hashes every chunk with `hash`. Synchronous. */
export function chunkWhole(
  buf: Uint8Array,
  p: ResolvedParams,
  scanner: Scanner,
  hash: (block: Uint8Array) => string,
): HashedChunk[] {
  const c = createStreamChunker(p, scanner);
  return [...c.push(buf), ...c.finish()].map((ch) => ({
    ...ch,
    hash: hash(buf.subarray(ch.offset, ch.offset + ch.length)),
  }));
}
