/** Engine dtypes: the project's `DType` names, libtorch's ScalarType codes and the JS typed arrays. */
import { DTYPE_SIZE, type DType } from "../io/host_tensor.js";
import { EngineError } from "./errors/engine_error.js";

export type { DType };

/** c10::ScalarType values (stable across libtorch releases). */
export const DTYPE_CODE: Readonly<Record<DType, number>> = {
  u8: 0, i8: 1, i16: 2, i32: 3, i64: 4, f16: 5, f32: 6, f64: 7, bool: 11, bf16: 15,
};

const BY_CODE = new Map<number, DType>(Object.entries(DTYPE_CODE).map(([k, v]) => [v, k as DType]));

export function dtypeOfCode(code: number): DType {
  const d = BY_CODE.get(code);
  if (d === undefined) throw new EngineError("dtype", "internal", `libtorch returned unsupported ScalarType ${code}`);
  return d;
}

export function codeOf(d: DType, op: string): number {
  const c = DTYPE_CODE[d];
  if (c === undefined) {
    throw new EngineError(op, "argument", `unknown dtype '${String(d)}'; use one of ${Object.keys(DTYPE_CODE).join(", ")}`);
  }
  return c;
}

export const isFloating = (d: DType): boolean => d === "f32" || d === "f64" || d === "bf16" || d === "f16";

export const itemSize = (d: DType): number => DTYPE_SIZE[d];

/** The typed array `toTypedArray()` returns for each dtype; f16/bf16 come back widened to f32. */
export interface TypedArrayOf {
  f32: Float32Array; f64: Float64Array; bf16: Float32Array; f16: Float32Array; i64: BigInt64Array;
  i32: Int32Array; i16: Int16Array; i8: Int8Array; u8: Uint8Array; bool: Uint8Array;
}
export type AnyTypedArray = TypedArrayOf[DType];

/** Wraps host bytes of dtype `d` as the matching typed array (no copy); f16/bf16 are not handled here. */
export function viewAs(d: Exclude<DType, "f16" | "bf16">, buf: ArrayBuffer): AnyTypedArray {
  switch (d) {
    case "f32": return new Float32Array(buf);
    case "f64": return new Float64Array(buf);
    case "i64": return new BigInt64Array(buf);
    case "i32": return new Int32Array(buf);
    case "i16": return new Int16Array(buf);
    case "i8": return new Int8Array(buf);
    case "u8": case "bool": return new Uint8Array(buf);
  }
}

/** The dtype a typed array holds natively (Uint16Array is ambiguous: raw f16 or bf16 bits, so it is refused). */
export function dtypeOfArray(a: ArrayBufferView): DType | undefined {
  if (a instanceof Float32Array) return "f32";
  if (a instanceof Float64Array) return "f64";
  if (a instanceof BigInt64Array) return "i64";
  if (a instanceof Int32Array) return "i32";
  if (a instanceof Int16Array) return "i16";
  if (a instanceof Int8Array) return "i8";
  if (a instanceof Uint8Array) return "u8";
  return undefined;
}
