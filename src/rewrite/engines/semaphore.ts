/**
 * A counting semaphore: at most `permits` holders at once; the rest wait in FIFO order. Engines take a permit per
 * request so that a flood of captions becomes a queue of waiting callers, never a flood of sockets.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly permits: number) {
    if (!Number.isInteger(permits) || permits < 1) throw new RangeError(`Semaphore needs a positive integer, got ${permits}`);
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.permits) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // hand the permit straight to the next waiter, so `active` never dips and lets a newcomer jump the queue
    if (next) next();
    else this.active--;
  }
}
