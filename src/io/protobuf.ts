/**
 * The few protobuf encodings the project writes (TensorBoard events, ONNX models): varints, 64-bit doubles, 32-bit floats and
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

/** A signed 64-bit integer field (protobuf `int64`): negative values take ten bytes, two's complement. */
export function fieldInt64(field: number, n: number): Buffer {
  if (n >= 0) return fieldVarint(field, n);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int64 field needs a safe integer, got ${n}`);
  return Buffer.concat([key(field, WIRE_VARINT), signedVarint(n)]);
}

function signedVarint(n: number): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

/** A packed repeated `int64` field. */
export function fieldPackedInt64(field: number, values: readonly number[]): Buffer {
  const body = Buffer.concat(values.map((n) => (n >= 0 ? varint(n) : signedVarint(n))));
  return fieldBytes(field, body);
}

/** A packed repeated `float` field. */
export function fieldPackedFloat(field: number, values: readonly number[]): Buffer {
  const body = Buffer.alloc(4 * values.length);
  values.forEach((x, i) => body.writeFloatLE(x, 4 * i));
  return fieldBytes(field, body);
}

/**
 * An embedded message (or bytes) given as chunks, without joining them: large messages (model weights) are
 * written chunk by chunk instead of being copied once per nesting level.
 */
export function fieldChunks(field: number, chunks: readonly Buffer[]): Buffer[] {
  let length = 0;
  for (const c of chunks) length += c.length;
  return [key(field, WIRE_BYTES), varint(length), ...chunks];
}
