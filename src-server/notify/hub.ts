/**
 * In-process fan-out of journal advances: the metadata store reports "namespace N is at
 * seq S" after each commit; WebSocket sessions and long-polls subscribe per namespace.
 * Several server processes would relay through PostgreSQL LISTEN/NOTIFY into this same hub.
 */

/** Listener of advances of one namespace. */
export type AdvanceListener = (ns: string, seq: number) => void;

/** Subscription registry keyed by namespace id. */
export class NotifyHub {
  readonly #byNs = new Map<string, Set<AdvanceListener>>();
  readonly #byAccount = new Map<string, Set<() => void>>();
  readonly #onListenerError: (err: unknown) => void;

  /**
   * `onListenerError` hears an exception of a subscriber (default: a process warning). A
   * subscriber's failure stays its own: the other subscribers are still told, and the
   * committed write that caused the advance is not turned into an error.
   */
  constructor(opts: { onListenerError?: (err: unknown) => void } = {}) {
    this.#onListenerError = opts.onListenerError ?? ((err) => process.emitWarning(`notify listener failed: ${String(err)}`));
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#onListenerError(err);
    }
  }

  /**
   * Subscribes `fn` to "the set of namespaces of `accountId` changed" (share, accept, role
   * change, removal, leave, unshare): notify sockets then re-subscribe. Returns the unsubscribe.
   */
  subscribeMembership(accountId: string, fn: () => void): () => void {
    let set = this.#byAccount.get(accountId);
    if (!set) this.#byAccount.set(accountId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.#byAccount.delete(accountId);
    };
  }

  /** Tells the subscribers of each account that its namespaces changed. */
  membershipChanged(accountIds: Iterable<string>): void {
    for (const id of new Set(accountIds)) for (const fn of [...(this.#byAccount.get(id) ?? [])]) this.#call(fn);
  }

  /** Subscribes `fn` to every namespace in `namespaces`; returns the unsubscribe function. */
  subscribe(namespaces: Iterable<string>, fn: AdvanceListener): () => void {
    const list = [...namespaces];
    for (const ns of list) {
      let set = this.#byNs.get(ns);
      if (!set) this.#byNs.set(ns, (set = new Set()));
      set.add(fn);
    }
    return () => {
      for (const ns of list) {
        const set = this.#byNs.get(ns);
        set?.delete(fn);
        if (set?.size === 0) this.#byNs.delete(ns);
      }
    };
  }

  /** Tells every subscriber of `ns` that it is now at `seq`. */
  advance(ns: string, seq: number): void {
    for (const fn of [...(this.#byNs.get(ns) ?? [])]) this.#call(() => fn(ns, seq));
  }
}
