/** The opcodes that push one number, string, bytes or constant: decoded here so the machine stays small. */
import { ByteCursor, smallest } from "./byte_cursor.js";
import { OP } from "./opcodes.js";
import type { PyValue } from "./py_value.js";

/** Python ints longer than this are refused: checkpoints never hold them, and decoding is quadratic. */
const MAX_LONG_BYTES = 1024;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The value the opcode pushes, or undefined when `op` is not a scalar opcode (nothing is consumed then). */
export function readScalar(op: number, c: ByteCursor): { value: PyValue } | undefined {
  switch (op) {
    case OP.NONE: return { value: null };
    case OP.NEWTRUE: return { value: true };
    case OP.NEWFALSE: return { value: false };
    case OP.BININT: return { value: c.i32() };
    case OP.BININT1: return { value: c.u8() };
    case OP.BININT2: return { value: c.u16() };
    case OP.LONG1: return { value: c.signedLE(c.u8()) };
    case OP.LONG4: {
      const n = c.i32();
      if (n < 0 || n > MAX_LONG_BYTES) throw new Error(`LONG4 of ${n} bytes is refused (at most ${MAX_LONG_BYTES})`);
      return { value: c.signedLE(n) };
    }
    case OP.INT: return { value: textInt(c.line()) };
    case OP.LONG: return { value: textInt(c.line().replace(/L$/, "")) };
    case OP.BINFLOAT: return { value: c.f64be() };
    case OP.FLOAT: return { value: textFloat(c.line()) };
    case OP.SHORT_BINUNICODE: return { value: utf8.decode(c.take(c.u8())) };
    case OP.BINUNICODE: return { value: utf8.decode(c.take(c.u32())) };
    case OP.BINUNICODE8: return { value: utf8.decode(c.take(c.u64())) };
    // Python 2 `str`: torch.load decodes these as UTF-8 too.
    case OP.SHORT_BINSTRING: return { value: utf8.decode(c.take(c.u8())) };
    case OP.BINSTRING: return { value: utf8.decode(c.take(c.i32())) };
    case OP.SHORT_BINBYTES: return { value: c.take(c.u8()).slice() };
    case OP.BINBYTES: return { value: c.take(c.u32()).slice() };
    case OP.BINBYTES8: case OP.BYTEARRAY8: return { value: c.take(c.u64()).slice() };
    default: return undefined;
  }
}

/** INT's text form; protocol 0 writes True and False as "01" and "00". */
function textInt(line: string): PyValue {
  if (line === "01") return true;
  if (line === "00") return false;
  if (!/^[+-]?\d+$/.test(line) || line.length > MAX_LONG_BYTES) throw new Error(`'${line.slice(0, 40)}' is not an integer`);
  return smallest(BigInt(line));
}

function textFloat(line: string): number {
  if (/^[+-]?inf$/i.test(line)) return line.startsWith("-") ? -Infinity : Infinity;
  const v = Number(line);
  if (line.trim() === "" || (Number.isNaN(v) && !/^[+-]?nan$/i.test(line))) throw new Error(`'${line}' is not a float`);
  return v;
}
