/**
 * A token-bucket bandwidth limit (bytes per second; 0 = unlimited). `take(n)` resolves when
 * `n` bytes may pass. The bucket holds at most one second of rate, so a burst after idle is
 * bounded.
 */
export class Throttle {
  private rate: number;
  private tokens: number;
  private last = Date.now();
  private chain: Promise<void> = Promise.resolve();
  /** Wakes of the takes sleeping now (see {@link release}). */
  private readonly sleeping = new Set<() => void>();

  /** @param bytesPerSecond limit in bytes/s; 0 = unlimited */
  constructor(bytesPerSecond: number) {
    this.rate = bytesPerSecond;
    this.tokens = bytesPerSecond;
  }

  /** Changes the limit (bytes/s; 0 = unlimited). */
  setRate(bytesPerSecond: number): void {
    this.rate = Math.max(0, Math.floor(bytesPerSecond));
    this.tokens = Math.min(this.tokens, this.rate);
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  /**
   * Lifts the limit and lets every waiting take pass at once. For a closing client: what they
   * send then fails on the closed connections instead of sleeping out a queue that, at a low
   * limit, can be minutes long.
   */
  release(): void {
    this.rate = 0;
    for (const wake of [...this.sleeping]) wake();
  }

  /** Waits until `bytes` may pass under the limit (callers are served in order). */
  take(bytes: number): Promise<void> {
    if (this.rate <= 0) return Promise.resolve();
    const run = async (): Promise<void> => {
      for (;;) {
        if (this.rate <= 0) return;
        const now = Date.now();
        this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
        this.last = now;
        if (this.tokens >= Math.min(bytes, this.rate)) {
          this.tokens -= bytes; // may go negative: a block larger than a second of rate waits afterwards
          return;
        }
        const wait = ((Math.min(bytes, this.rate) - this.tokens) / this.rate) * 1000;
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            clearTimeout(timer);
            this.sleeping.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, Math.max(5, wait));
          this.sleeping.add(wake);
        });
      }
    };
    const p = this.chain.then(run);
    this.chain = p.catch(() => undefined);
    return p;
  }
}
