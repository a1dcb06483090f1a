/**
 * The .npy reader on bytes laid out by hand (format 1.0 as numpy.save writes it, 2.0 with its uint32 header
 * length, big-endian and half-precision data) and on laclip's own writer; non-numeric types are refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { NpyFormatError, readNpy } from "../../src/io/npy/reader.js";
import { npyHeader } from "../../src/io/npy/writer.js";

/** Magic, version, header length (uint16 for 1.0, uint32 for 2.0), the dict padded to 64 bytes, then `data`. */
function npy(version: 1 | 2, dict: string, data: Uint8Array): Uint8Array {
  const fixed = version === 1 ? 10 : 12;
  const padded = dict + " ".repeat(63 - ((fixed + dict.length) % 64)) + "\n";
  const out = new Uint8Array(fixed + padded.length + data.length);
  out.set([0x93, ...new TextEncoder().encode("NUMPY"), version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, padded.length, true);
  else view.setUint32(8, padded.length, true);
  out.set(new TextEncoder().encode(padded), fixed);
  out.set(data, fixed + padded.length);
  return out;
}

test("reads numpy.save's layouts: versions 1.0 and 2.0, either byte order, half, bool and int64", () => {
  const f4 = new Uint8Array(Float32Array.from([0, 1, 0.5]).buffer);
  assert.deepEqual(readNpy(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f4)), { descr: "<f4", shape: [3], fortranOrder: false, values: Float64Array.from([0, 1, 0.5]) });
  assert.deepEqual([...readNpy(npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }", f4)).values], [0, 1, 0.5]);
  assert.deepEqual(readNpy(npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }", f4)).shape, [1, 3]);
  const big = new Uint8Array(4);
  new DataView(big.buffer).setInt16(0, -2, false);
  new DataView(big.buffer).setInt16(2, 300, false);
  assert.deepEqual([...readNpy(npy(1, "{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }", big)).values], [-2, 300]);
  // half: 0x3c00 = 1, 0xc000 = -2, 0x3800 = 0.5, 0x0001 = 2^-24 (subnormal), 0x7c00 = inf
  const half = new Uint8Array(Uint16Array.from([0x3c00, 0xc000, 0x3800, 0x0001, 0x7c00]).buffer);
  assert.deepEqual([...readNpy(npy(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (5,), }", half)).values], [1, -2, 0.5, 2 ** -24, Infinity]);
  assert.deepEqual([...readNpy(npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", Uint8Array.from([1, 0, 1]))).values], [1, 0, 1]);
  // laclip's writer, read back
  const i8 = new Uint8Array(BigInt64Array.from([5n, -7n]).buffer);
  const written = new Uint8Array([...npyHeader({ dtype: "i64", shape: [2, 1] }), ...i8]);
  assert.deepEqual(readNpy(written), { descr: "<i8", shape: [2, 1], fortranOrder: false, values: Float64Array.from([5, -7]) });
  // a scalar: shape (), one element
  assert.deepEqual([...readNpy(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", f4.subarray(4, 8))).values], [1]);
});

test("refuses what is not a numeric .npy array, saying why", () => {
  const bad = (bytes: Uint8Array, want: RegExp) => assert.throws(() => readNpy(bytes), (err: Error) => err instanceof NpyFormatError && want.test(err.message));
  bad(new TextEncoder().encode("1 0 1"), /not a \.npy array \(5 bytes, no \\x93NUMPY magic\)/);
  bad(npy(1, "{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(12)), /type '<U3' is not a number type/);
  bad(npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), /type '\|O' is not a number type/);
  bad(npy(1, "{'descr': '<f4', 'shape': (1,), }", new Uint8Array(4)), /lacks descr, fortran_order or shape/);
  bad(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new Uint8Array(12)), /data is 12 bytes; shape \(4\) of '<f4' needs 16/);
  bad(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (a,), }", new Uint8Array(4)), /shape \(a,\) is not a list of sizes/);
  const v9 = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4));
  v9[6] = 9;
  bad(v9, /unknown \.npy format version 9\.0/);
  bad(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)).subarray(0, 20), /header says 118 bytes, but only 10 follow/);
});
