/**
 * The numpy values a checkpoint may hold (a LaCLIP checkpoint's `best_acc1` is a numpy.float64, say), admitted
 * as torch.load(weights_only=True) admits them: `numpy.dtype(code, align, copy)` with its BUILD state, and
 * `numpy.core.multiarray.scalar(dtype, bytes)` (`numpy._core` in numpy 2). Nothing numpy is called: the dtype is
 * a record, and a scalar is decoded from its bytes into a plain number, bigint or boolean.
 */
import { halfToNumber } from "../half.js";
import { PyObject, isTuple, pyTypeName, type PyValue } from "../pickle/py_value.js";

const SIZES: Readonly<Record<string, number>> = {
  b1: 1, i1: 1, u1: 1, i2: 2, u2: 2, f2: 2, i4: 4, u4: 4, f4: 4, i8: 8, u8: 8, f8: 8,
};

/** A numpy dtype of one of the simple codes above (no records, no sub-arrays). */
export class NumpyDType extends PyObject {
  readonly pyType = "numpy.dtype";
  /** Pickle sends the whole BUILD state tuple, not a __dict__. */
  readonly takesRawState = true;
  byteOrder: "<" | ">" | "|" | "=" = "=";

  constructor(readonly code: string) {
    super();
  }

  /** numpy's dtype state: (version, byteorder, subdescr, names, fields, elsize, alignment, flags). */
  setState(state: PyValue): void {
    if (!isTuple(state) || state.length < 8 || (state[0] !== 3 && state[0] !== 4)) throw new Error(`numpy.dtype state is not a version 3/4 tuple`);
    const order = state[1];
    if (order !== "<" && order !== ">" && order !== "|" && order !== "=") throw new Error(`numpy.dtype byte order '${String(order)}' is unknown`);
    if (state[2] !== null || state[3] !== null || state[4] !== null) throw new Error("structured numpy dtypes are not supported");
    this.byteOrder = order;
  }
}

/** `numpy.dtype(code, align, copy)`. */
export function numpyDType(args: readonly PyValue[]): NumpyDType {
  const [code] = args;
  if (args.length < 1 || args.length > 3 || typeof code !== "string") throw new Error("numpy.dtype takes a type code string");
  const normal = code === "?" ? "b1" : code.replace(/^[<>|=]/, "");
  if (SIZES[normal] === undefined) throw new Error(`numpy dtype '${code}' is not supported (bool, int, uint and float only)`);
  return new NumpyDType(normal);
}

/** `numpy.core.multiarray.scalar(dtype, bytes)`: the value the bytes hold. */
export function numpyScalar(args: readonly PyValue[]): PyValue {
  const [dtype, bytes] = args;
  if (args.length !== 2 || !(dtype instanceof NumpyDType)) throw new Error(`numpy scalar takes (dtype, bytes), got ${args.map(pyTypeName).join(", ")}`);
  if (!(bytes instanceof Uint8Array)) throw new Error(`numpy scalar data is a ${pyTypeName(bytes)}, not bytes`);
  const size = SIZES[dtype.code]!;
  if (bytes.byteLength !== size) throw new Error(`numpy ${dtype.code} scalar needs ${size} bytes, got ${bytes.byteLength}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = dtype.byteOrder !== ">";
  switch (dtype.code) {
    case "b1": return view.getUint8(0) !== 0;
    case "i1": return view.getInt8(0);
    case "u1": return view.getUint8(0);
    case "i2": return view.getInt16(0, le);
    case "u2": return view.getUint16(0, le);
    case "i4": return view.getInt32(0, le);
    case "u4": return view.getUint32(0, le);
    case "f2": return halfToNumber(view.getUint16(0, le));
    case "f4": return view.getFloat32(0, le);
    case "f8": return view.getFloat64(0, le);
    case "i8": return safe(view.getBigInt64(0, le));
    default: return safe(view.getBigUint64(0, le)); // u8
  }
}

/** A Python int as PyValue maps it: a number when safe, else a bigint. */
function safe(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
