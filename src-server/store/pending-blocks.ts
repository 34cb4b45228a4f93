/**
 * Block uploads the server has answered but not yet made durable and recorded, per account and
 * hash (docs/decisions.md D33). A block upload is answered once its bytes are
 * verified; making it durable (fsync, rename, fsync folder) and recording the account's
 * ownership run afterwards. Whatever must see the upload as done — a commit naming the block,
 * `check`, `get` by the uploader — first `settle`s the pending uploads of its hashes: it waits
 * until they are durable and recorded, or failed (then the block has no record: a commit
 * answers `block_missing` and `check` lists it, so the client uploads it again).
 */

/** One pending upload per (account, hash). */
export class PendingBlocks {
  readonly #m = new Map<string, Promise<void>>();
  readonly #onError: (err: unknown, hash: string) => void;

  /** @param onError called when a pending upload fails (logged by the server). */
  constructor(onError: (err: unknown, hash: string) => void = () => {}) {
    this.#onError = onError;
  }

  static #key(accountId: string, hash: string): string {
    return `${accountId}:${hash}`;
  }

  /** Number of uploads still pending. */
  get size(): number {
    return this.#m.size;
  }

  /**
   * Registers `work` (make durable, then record) for `accountId`'s upload of `hash`. A second
   * upload of the same pair while the first is pending chains after it. Never rejects outward.
   */
  track(accountId: string, hash: string, work: () => Promise<void>): void {
    const key = PendingBlocks.#key(accountId, hash);
    const before = this.#m.get(key) ?? Promise.resolve();
    const p: Promise<void> = before.then(work).catch((err: unknown) => this.#onError(err, hash));
    this.#m.set(key, p);
    void p.then(() => {
      if (this.#m.get(key) === p) this.#m.delete(key);
    });
  }

  /** Resolves once none of `accountId`'s uploads of `hashes` is pending. */
  async settle(accountId: string, hashes: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const h of new Set(hashes)) {
      const p = this.#m.get(PendingBlocks.#key(accountId, h));
      if (p) waits.push(p);
    }
    if (waits.length > 0) await Promise.all(waits);
  }

  /** Resolves once nothing is pending (shutdown). */
  async drain(): Promise<void> {
    while (this.#m.size > 0) await Promise.all([...this.#m.values()]);
  }
}
