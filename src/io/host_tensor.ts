/**
 * Tensor data in host memory, independent of the engine: what file readers produce and writers consume.
 * The engine turns it into a libtorch tensor (`fromHost`) and back (`toHost`) with one copy each way.
 */

/** Element types, named as the project names them; `TORCH_NAME` maps them to PyTorch's. */
export type DType = "f32" | "f64" | "bf16" | "f16" | "i64" | "i32" | "i16" | "i8" | "u8" | "bool";

export const DTYPE_SIZE: Readonly<Record<DType, number>> = {
  f32: 4, f64: 8, bf16: 2, f16: 2, i64: 8, i32: 4, i16: 2, i8: 1, u8: 1, bool: 1,
};

export const TORCH_NAME: Readonly<Record<DType, string>> = {
  f32: "float32", f64: "float64", bf16: "bfloat16", f16: "float16",
  i64: "int64", i32: "int32", i16: "int16", i8: "int8", u8: "uint8", bool: "bool",
};

export interface HostTensor {
  dtype: DType;
  /** Sizes, outermost first; [] for a scalar. */
  shape: number[];
  /** Little-endian, C-contiguous bytes; byteLength === numel(shape) * DTYPE_SIZE[dtype]. */
  data: Uint8Array;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}
