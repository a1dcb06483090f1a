/**
 * NumPy `.npy` bytes read back as numbers: the magic `\x93NUMPY`, a version (1.0: uint16 header length; 2.0 and
 * 3.0: uint32), the header dict `{'descr': ..., 'fortran_order': ..., 'shape': (...), }`, then the data. Numeric
 * and boolean types of either byte order are read; object arrays, strings and structured types are refused.
 * What a WebDataset `.npy` member holds (numpy.save of one array), e.g. a multilabel target vector.
 */
import { halfToNumber } from "../half.js";

export interface NpyArray {
  /** The type as the header spells it, e.g. `<f4`. */
  descr: string;
  shape: number[];
  fortranOrder: boolean;
  /** Every element as a JS number, in file order. */
  values: Float64Array;
}

/** Thrown for bytes that are not a readable .npy array; the caller names the file. */
export class NpyFormatError extends Error {}

const KINDS: Readonly<Record<string, (v: DataView, at: number, le: boolean) => number>> = {
  f2: (v, at, le) => halfToNumber(v.getUint16(at, le)),
  f4: (v, at, le) => v.getFloat32(at, le),
  f8: (v, at, le) => v.getFloat64(at, le),
  i1: (v, at) => v.getInt8(at),
  i2: (v, at, le) => v.getInt16(at, le),
  i4: (v, at, le) => v.getInt32(at, le),
  i8: (v, at, le) => Number(v.getBigInt64(at, le)),
  u1: (v, at) => v.getUint8(at),
  u2: (v, at, le) => v.getUint16(at, le),
  u4: (v, at, le) => v.getUint32(at, le),
  u8: (v, at, le) => Number(v.getBigUint64(at, le)),
  b1: (v, at) => v.getUint8(at),
};

export function readNpy(bytes: Uint8Array): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new NpyFormatError(`not a .npy array (${bytes.length} bytes, no \\x93NUMPY magic)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new NpyFormatError(`unknown .npy format version ${major}.${bytes[7]}`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw new NpyFormatError(`the .npy header says ${headerLen} bytes, but only ${bytes.length - start} follow`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyFormatError(`the .npy header ${JSON.stringify(header.trim())} lacks descr, fortran_order or shape`);
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new NpyFormatError(`the .npy shape (${shapeText}) is not a list of sizes`);
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  const read = m === null ? undefined : KINDS[`${m[2]}${m[3]}`];
  if (m === null || read === undefined) throw new NpyFormatError(`the .npy type '${descr}' is not a number type (float, int, uint or bool)`);
  const size = Number(m[3]);
  const n = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  if (bytes.length - dataStart !== n * size) throw new NpyFormatError(`the .npy data is ${bytes.length - dataStart} bytes; shape (${shape.join(", ")}) of '${descr}' needs ${n * size}`);
  const le = m[1] !== ">";
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = read(view, dataStart + i * size, le);
  return { descr, shape, fortranOrder: fortran === "True", values };
}
