/**
 * Puts completions back in input order: results arrive in any order, leave in sequence. Sequence numbers are the
 * positions within this shard's captions, so the emitted stream is exactly the shard's index order.
 */

export class Reorder<T> {
  private readonly waiting = new Map<number, T>();
  /** Next sequence number to emit. */
  next: number;

  constructor(
    start: number,
    private readonly emit: (value: T) => void,
  ) {
    this.next = start;
  }

  put(seq: number, value: T): void {
    if (seq !== this.next) {
      this.waiting.set(seq, value);
      return;
    }
    this.emit(value);
    this.next++;
    for (let v = this.waiting.get(this.next); v !== undefined; v = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      this.emit(v);
      this.next++;
    }
  }

  get buffered(): number {
    return this.waiting.size;
  }
}
