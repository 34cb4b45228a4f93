/**
 * The engine's view of the chunker (native-chunker): cut a file into content-defined blocks
 * and hash them. Injected into the engine so unit tests can run without the addon.
 */

/** One block of a file: byte offset and length, lowercase hex SHA-256 of its bytes. */
export interface BlockRef {
  offset: number;
  length: number;
  hash: string;
}

/** What the engine needs from native-chunker. */
export interface Chunker {
  /**
   * Blocks of the file at absolute path `path`, in order.
   * @throws ChunkerError with `code` 'changed_during_read' | 'unreadable' | 'not_found'.
   */
  chunkFile(path: string): Promise<BlockRef[]>;
  /**
   * Optional: the same blocks, yielded one by one as they are hashed (the file is verified
   * unchanged only when the iteration ends). Lets the scanner hand early blocks to a
   * {@link BlockSink} while later ones are read.
   * @throws as {@link chunkFile}, from the iterator.
   */
  chunkFileBlocks?(path: string): AsyncIterable<BlockRef>;
}

/**
 * Where the scanner hands the blocks of a large file as they are hashed (the engine's early
 * upload, exec/block-upload.ts). A sink must not hold up the hashing: `push` resolves at once
 * (it may queue, never wait for the network), nothing rejects, and a sink that fails just
 * stops taking.
 */
export interface BlockSink {
  /** Takes the next block in file order. */
  push(block: BlockRef): Promise<void>;
  /** No more blocks (the file was read whole, or reading failed); returns at once. */
  end(): void;
}

/** Loads the real chunker from the `native-chunker` package (addon or its TS fallback). */
export async function loadChunker(): Promise<Chunker> {
  const m = await import('native-chunker');
  return { chunkFile: (p: string) => m.chunkFile(p), chunkFileBlocks: (p: string) => m.chunkFileBlocks(p) };
}

/** A notice of native-chunker's worker pool (mirrors its `PoolNotice`). */
export type ChunkerNotice = { kind: 'inline-fallback'; reason: string } | { kind: 'worker-replaced'; reason: string };

/**
 * Subscribes to native-chunker's pool notices (a fallback to hashing on the calling thread, a
 * replaced worker) so the engine can show them instead of a process warning nobody reads.
 * Resolves with the unsubscribe function.
 */
export async function onChunkerNotice(listener: (n: ChunkerNotice) => void): Promise<() => void> {
  const m = await import('native-chunker');
  return m.onPoolNotice(listener);
}
