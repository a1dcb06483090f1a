/**
 * Writes pickle bytes opcode by opcode, so tests can build exactly the pickles they need (torch-style
 * checkpoints, odd opcodes, hostile globals) without Python.
 */

export class PickleWriter {
  private readonly bytes: number[] = [];

  op(code: number, ...operand: number[]): this {
    this.bytes.push(code, ...operand);
    return this;
  }

  raw(data: Uint8Array | number[]): this {
    for (const b of data) this.bytes.push(b);
    return this;
  }

  proto(n: number): this { return this.op(0x80, n); }
  mark(): this { return this.op(0x28); }
  stop(): this { return this.op(0x2e); }
  none(): this { return this.op(0x4e); }
  bool(v: boolean): this { return this.op(v ? 0x88 : 0x89); }
  emptyDict(): this { return this.op(0x7d); }
  emptyList(): this { return this.op(0x5d); }
  emptyTuple(): this { return this.op(0x29); }
  tuple(): this { return this.op(0x74); }
  tupleN(n: 1 | 2 | 3): this { return this.op(0x84 + n); }
  setitem(): this { return this.op(0x73); }
  setitems(): this { return this.op(0x75); }
  append(): this { return this.op(0x61); }
  appends(): this { return this.op(0x65); }
  reduce(): this { return this.op(0x52); }
  build(): this { return this.op(0x62); }
  newobj(): this { return this.op(0x81); }
  binpersid(): this { return this.op(0x51); }
  memoize(): this { return this.op(0x94); }
  binput(i: number): this { return this.op(0x71, i); }
  binget(i: number): this { return this.op(0x68, i); }
  longBinput(i: number): this { return this.op(0x72, ...le(i, 4)); }
  longBinget(i: number): this { return this.op(0x6a, ...le(i, 4)); }

  /** The smallest int opcode, as Python's pickler chooses it. */
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    if (n >= 0 && n < 65536) return this.op(0x4d, ...le(n, 2));
    if (n >= -(2 ** 31) && n < 2 ** 31) return this.op(0x4a, ...le(n >>> 0, 4));
    return this.long1(BigInt(n));
  }

  long1(n: bigint): this {
    const out: number[] = [];
    let v = n;
    // Two's complement, little-endian, shortest form that keeps the sign bit right.
    do {
      out.push(Number(v & 0xffn));
      v >>= 8n;
    } while (!((v === 0n && (out[out.length - 1] & 0x80) === 0) || (v === -1n && (out[out.length - 1] & 0x80) !== 0)));
    return this.op(0x8a, out.length, ...out);
  }

  float(x: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    return this.op(0x47, ...b);
  }

  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.op(0x58, ...le(b.length, 4)).raw(b);
  }

  shortStr(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.op(0x8c, b.length).raw(b);
  }

  bytesOf(data: Uint8Array): this {
    return data.length < 256 ? this.op(0x43, data.length).raw(data) : this.op(0x42, ...le(data.length, 4)).raw(data);
  }

  global(module: string, name: string): this {
    return this.op(0x63).raw(new TextEncoder().encode(`${module}\n${name}\n`));
  }

  stackGlobal(module: string, name: string): this {
    return this.shortStr(module).shortStr(name).op(0x93);
  }

  frame(length: number): this {
    return this.op(0x95, ...le(length, 8));
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function le(n: number, width: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(width * 8, BigInt(n));
  for (let i = 0; i < width; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}
