/**
 * Reads pickle operands. Every read checks the remaining length first, so a length field in a hostile or
 * truncated pickle can never make the reader allocate more than the pickle holds.
 */

export class TruncatedError extends Error {}

export class ByteCursor {
  pos = 0;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.bytes.byteLength;
  }

  private need(n: number): number {
    if (n < 0 || this.pos + n > this.bytes.byteLength) {
      throw new TruncatedError(`needs ${n} more bytes at ${this.pos} but only ${this.bytes.byteLength - this.pos} remain`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.need(1));
  }

  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }

  /** An unsigned 64-bit length; anything beyond the pickle's size is truncation either way. */
  u64(): number {
    const n = this.view.getBigUint64(this.need(8), true);
    return n > BigInt(this.bytes.byteLength) ? this.bytes.byteLength + 1 : Number(n);
  }

  /** BINFLOAT operands are big-endian IEEE doubles. */
  f64be(): number {
    return this.view.getFloat64(this.need(8), false);
  }

  take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  /** A newline-terminated ASCII line (text opcodes), without the newline. */
  line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new TruncatedError(`a line starting at ${this.pos} has no newline`);
    const text = new TextDecoder("latin1").decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  /** A memo index written as decimal text (PUT, GET). */
  decimalLine(): number {
    const line = this.line();
    const n = Number(line);
    if (!/^\d+$/.test(line) || !Number.isSafeInteger(n)) throw new Error(`'${line}' is not a memo index`);
    return n;
  }

  /** A little-endian two's-complement integer of `n` bytes (LONG1, LONG4). */
  signedLE(n: number): number | bigint {
    const b = this.take(n);
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return smallest(v);
  }
}

/** A Python int as a number when that is exact, else as a bigint. */
export function smallest(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
