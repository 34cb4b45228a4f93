/**
 * Counts failed guesses (public-link passwords) per key in fixed windows: once a key has
 * `max` failures in the current window, it is blocked until the window ends. Only failures
 * count, so a visitor who knows the password is never slowed down until someone guesses.
 * In memory (one server process); expired windows are swept when the map grows.
 */

/** A per-key failure budget: `max` failures per `windowMs`. */
export class GuessLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #byKey = new Map<string, { count: number; resetAt: number }>();
  constructor(max: number, windowMs: number) {
    this.#max = max;
    this.#windowMs = windowMs;
  }

  /** True when `key` has used up its failures in the current window. */
  blocked(key: string, now: number): boolean {
    const w = this.#byKey.get(key);
    return w !== undefined && w.resetAt > now && w.count >= this.#max;
  }

  /** Records one failure of `key`. */
  fail(key: string, now: number): void {
    const w = this.#byKey.get(key);
    if (!w || w.resetAt <= now) this.#byKey.set(key, { count: 1, resetAt: now + this.#windowMs });
    else w.count++;
    if (this.#byKey.size > 10_000) {
      for (const [k, v] of this.#byKey) if (v.resetAt <= now) this.#byKey.delete(k);
    }
  }
}
