/**
 * The few protobuf encodings a TensorBoard event needs: varints, 64-bit doubles, 32-bit floats and
 * length-delimited fields (strings and embedded messages). A message is built as a list of byte chunks.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

/** Varint of a non-negative safe integer (no BigInt: steps stay below 2^53). */
export function varint(n: number): Buffer {
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`varint needs a non-negative safe integer, got ${n}`);
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}

const key = (field: number, wire: number) => varint(field * 8 + wire);

export function fieldVarint(field: number, n: number): Buffer {
  return Buffer.concat([key(field, WIRE_VARINT), varint(n)]);
}

export function fieldDouble(field: number, x: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return Buffer.concat([key(field, WIRE_FIXED64), b]);
}

export function fieldFloat(field: number, x: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeFloatLE(x);
  return Buffer.concat([key(field, WIRE_FIXED32), b]);
}

export function fieldBytes(field: number, data: Buffer | string): Buffer {
  const b = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return Buffer.concat([key(field, WIRE_BYTES), varint(b.length), b]);
}
