/**
 * An open-addressing hash map from a pair of symbol ids to a merge rank. BPE looks up every adjacent pair of every
 * new word here, so it avoids string keys and JS Map's boxing of large numeric keys.
 */
export class PairTable {
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly value: Int32Array;
  private readonly mask: number;
  private count = 0;

  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2; // load factor <= 0.5 keeps probe chains short
    this.left = new Int32Array(size).fill(-1);
    this.right = new Int32Array(size);
    this.value = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  private slot(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    let i = h & this.mask;
    while (this.left[i] !== -1 && (this.left[i] !== a || this.right[i] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  /** Sets the value of (a, b); a later set of the same pair overwrites, as a later dict entry does in Python. */
  set(a: number, b: number, v: number): void {
    const i = this.slot(a, b);
    if (this.left[i] === -1) {
      if ((this.count + 1) * 2 > this.left.length) throw new RangeError("PairTable is full; size it for every pair");
      this.count++;
      this.left[i] = a;
      this.right[i] = b;
    }
    this.value[i] = v;
  }

  /** The value of (a, b), or -1 when the pair is absent. */
  get(a: number, b: number): number {
    const i = this.slot(a, b);
    return this.left[i] === -1 ? -1 : this.value[i]!;
  }
}
