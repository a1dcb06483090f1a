/** safetensors dtype names and the project's `DType`s they map to (the subset the project can compute with). */
import type { DType } from "../host_tensor.js";

export const SAFETENSORS_TO_DTYPE: ReadonlyMap<string, DType> = new Map<string, DType>([
  ["F64", "f64"], ["F32", "f32"], ["BF16", "bf16"], ["F16", "f16"],
  ["I64", "i64"], ["I32", "i32"], ["I16", "i16"], ["I8", "i8"], ["U8", "u8"], ["BOOL", "bool"],
]);

export const DTYPE_TO_SAFETENSORS: Readonly<Record<DType, string>> = {
  f64: "F64", f32: "F32", bf16: "BF16", f16: "F16",
  i64: "I64", i32: "I32", i16: "I16", i8: "I8", u8: "U8", bool: "BOOL",
};
