/**
 * Block-sized buffers reused within one transfer (a download's receive buffers, an upload's
 * read buffers), so a GiB moved does not allocate a GiB of short-lived buffers — external
 * memory whose collections cost V8 more CPU than the copies.
 */
import { MAX_BLOCK_BYTES } from '../../../src-shared/protocol/limits.ts';

/**
 * A pool of buffers sized in powers of two from `minBytes` up to the largest block, so the
 * blocks of one file mostly fit buffers freed by earlier ones. Each buffer owns its
 * ArrayBuffer (never Buffer's shared pool), so a view given back finds its buffer.
 */
export class BufferPool {
  readonly #minBytes: number;
  readonly #keep: number;
  readonly #free: Buffer[] = [];
  readonly #ours = new Map<ArrayBufferLike, Buffer>();

  /**
   * @param minBytes smallest buffer made (bytes)
   * @param keep most free buffers kept; more given back are left to the GC
   */
  constructor(minBytes: number, keep: number) {
    this.#minBytes = minBytes;
    this.#keep = keep;
  }

  /** The smallest free buffer of at least `length` bytes, or a new one. */
  take(length: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const b = this.#free[i] as Buffer;
      if (b.length >= length && (best < 0 || b.length < (this.#free[best] as Buffer).length)) best = i;
    }
    if (best >= 0) return this.#free.splice(best, 1)[0] as Buffer;
    let size = this.#minBytes;
    while (size < length && size < MAX_BLOCK_BYTES) size *= 2;
    const buf = Buffer.allocUnsafeSlow(Math.max(size, length));
    this.#ours.set(buf.buffer, buf);
    return buf;
  }

  /** Gives back the pool's buffer `view` is a view of (a buffer not from this pool is ignored). */
  give(view: Buffer): void {
    const whole = this.#ours.get(view.buffer);
    if (whole && this.#free.length < this.#keep && !this.#free.includes(whole)) this.#free.push(whole);
  }

  /** Forgets every buffer (the transfer is over). */
  clear(): void {
    this.#free.length = 0;
    this.#ours.clear();
  }
}
