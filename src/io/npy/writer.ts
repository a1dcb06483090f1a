/**
 * NumPy `.npy` files (format version 1.0), written whole and atomically: the magic `\x93NUMPY`, version 1.0, a
 * little-endian uint16 header length, then a Python dict literal `{'descr': '<f4', 'fortran_order': False,
 * 'shape': (N, D), }` padded with spaces and ended by a newline so that the data starts at a multiple of 64
 * bytes, then the C-order data. `numpy.load` reads it back.
 */
import { writeAll, writeFileAtomic } from "../file/atomic_write.js";
import { DTYPE_SIZE, numel, type DType, type HostTensor } from "../host_tensor.js";

const DESCR: Partial<Record<DType, string>> = {
  f32: "<f4", f64: "<f8", f16: "<f2", i64: "<i8", i32: "<i4", i16: "<i2", i8: "|i1", u8: "|u1", bool: "|b1",
};

/** The header bytes of an .npy file holding `t` (magic through the newline). */
export function npyHeader(t: Pick<HostTensor, "dtype" | "shape">): Uint8Array {
  const descr = DESCR[t.dtype];
  if (descr === undefined) throw new RangeError(`.npy has no ${t.dtype} type; convert to f32 first`);
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(", ")})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const fixed = 10; // magic (6) + version (2) + header length (2)
  dict += " ".repeat(63 - ((fixed + dict.length) % 64)) + "\n";
  const out = new Uint8Array(fixed + dict.length);
  out.set([0x93, ...new TextEncoder().encode("NUMPY"), 1, 0]);
  new DataView(out.buffer).setUint16(8, dict.length, true);
  out.set(new TextEncoder().encode(dict), fixed);
  return out;
}

export async function writeNpy(path: string, t: HostTensor): Promise<void> {
  const header = npyHeader(t);
  if (t.data.byteLength !== numel(t.shape) * DTYPE_SIZE[t.dtype]) {
    throw new RangeError(`${path}: ${t.data.byteLength} data bytes do not fit shape [${t.shape.join(", ")}] of ${t.dtype}`);
  }
  await writeFileAtomic(path, async (h) => {
    await writeAll(h, header, 0);
    await writeAll(h, t.data, header.byteLength);
  });
}
