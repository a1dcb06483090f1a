/** Creating tensors: from JS data, from host bytes, and the usual factories. */
import { numel, type HostTensor } from "../io/host_tensor.js";
import { checkDevice, type Device } from "./device.js";
import { codeOf, dtypeOfArray, type DType } from "./dtype.js";
import { EngineError } from "./errors/engine_error.js";
import { N } from "./native.js";
import { Tensor, wrap } from "./tensor_class.js";

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

type Nested = number | boolean | readonly Nested[];

function finish(t: Tensor, o: TensorOptions): Tensor {
  if (o.requiresGrad) t.requiresGrad = true;
  return t;
}

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as Nested;
  }
  return shape;
}

/** Row-major leaves of `data`; returns whether any leaf is a boolean. */
function flatten(data: Nested, shape: number[], dim: number, out: number[]): boolean {
  if (dim === shape.length) {
    if (typeof data !== "number" && typeof data !== "boolean") throw new EngineError("tensor", "argument", "nested array is ragged");
    out.push(Number(data));
    return typeof data === "boolean";
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new EngineError("tensor", "argument", `nested array is ragged at depth ${dim}: expected length ${shape[dim]}`);
  }
  let bool = false;
  for (const v of data as readonly Nested[]) bool = flatten(v, shape, dim + 1, out) || bool;
  return bool;
}

/** JS numbers in the typed array closest to `dtype` (exact for every dtype but f16/bf16, staged as f64). */
function stage(flat: number[], dtype: DType): [ArrayBufferView, DType] {
  switch (dtype) {
    case "f32": return [new Float32Array(flat), "f32"];
    case "i64": return [new BigInt64Array(flat.map((v) => BigInt(Math.trunc(v)))), "i64"];
    case "i32": return [new Int32Array(flat), "i32"];
    case "i16": return [new Int16Array(flat), "i16"];
    case "i8": return [new Int8Array(flat), "i8"];
    case "u8": return [new Uint8Array(flat), "u8"];
    case "bool": return [new Uint8Array(flat.map((v) => (v !== 0 ? 1 : 0))), "bool"];
    default: return [new Float64Array(flat), "f64"];
  }
}

/** Host bytes + shape → tensor (one copy), converted to `dtype` afterwards if it differs. */
function fromView(bytes: ArrayBufferView, shape: readonly number[], src: DType, o: TensorOptions, op: string): Tensor {
  const dev = checkDevice(o.device, op);
  let t = wrap(N.fromBytes(bytes, [...shape], codeOf(src, op), dev));
  if (o.dtype !== undefined && o.dtype !== src) {
    const c = t.to({ dtype: o.dtype });
    t.dispose();
    t = c;
  }
  return finish(t, o);
}

/**
 * A tensor from nested number arrays or a typed array (shape: options.shape, else inferred / 1-D).
 * Numbers default to f32 (bool for boolean data); typed arrays keep their own dtype unless `dtype` says else.
 */
export function tensor(data: Nested | ArrayBufferView, o: TensorOptions & { shape?: readonly number[] } = {}): Tensor {
  if (ArrayBuffer.isView(data)) {
    const src = dtypeOfArray(data);
    if (src === undefined) {
      throw new EngineError("tensor", "argument", `${data.constructor.name} has no matching dtype; use fromHost() with raw bytes`);
    }
    const n = data.byteLength / (data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    return fromView(data, o.shape ?? [n], src, o, "tensor");
  }
  const shape = inferShape(data);
  const flat: number[] = [];
  const bool = flatten(data, shape, 0, flat);
  const dtype = o.dtype ?? (bool ? "bool" : "f32");
  const finalShape = o.shape ?? shape;
  if (numel(finalShape) !== flat.length) {
    throw new EngineError("tensor", "argument", `shape [${finalShape.join(", ")}] does not hold ${flat.length} elements`);
  }
  const [staging, staged] = stage(flat, dtype);
  return fromView(staging, finalShape, staged, { ...o, dtype }, "tensor");
}

/** A 0-d tensor holding `value`. */
export const scalar = (value: number, o: TensorOptions = {}): Tensor =>
  finish(wrap(N.full([], value, codeOf(o.dtype ?? "f32", "scalar"), checkDevice(o.device, "scalar"))), o);

/** A tensor from host bytes (one copy); see HostTensor for the layout. */
export function fromHost(h: HostTensor, o: Omit<TensorOptions, "dtype"> = {}): Tensor {
  return fromView(h.data, h.shape, h.dtype, o, "fromHost");
}

const fac = (op: string, f: (s: number[], d: number, dev: string | null) => ReturnType<typeof N.zeros>) =>
  (shape: readonly number[], o: TensorOptions = {}): Tensor =>
    finish(wrap(f([...shape], codeOf(o.dtype ?? "f32", op), checkDevice(o.device, op))), o);

export const zeros = fac("zeros", N.zeros);
export const ones = fac("ones", N.ones);
/** Uninitialised memory: fill it before reading. */
export const empty = fac("empty", N.empty);

export function full(shape: readonly number[], value: number | boolean, o: TensorOptions = {}): Tensor {
  const dtype = o.dtype ?? (typeof value === "boolean" ? "bool" : "f32");
  return finish(wrap(N.full([...shape], value, codeOf(dtype, "full"), checkDevice(o.device, "full"))), o);
}

/** [start, end) in steps; i64 when all bounds are integers (as torch.arange), else f32. */
export function arange(start: number, end?: number, step = 1, o: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  const dtype = o.dtype ?? ([start, end, step].every(Number.isInteger) ? "i64" : "f32");
  return finish(wrap(N.arange(start, end, step, codeOf(dtype, "arange"), checkDevice(o.device, "arange"))), o);
}

export function linspace(start: number, end: number, steps: number, o: TensorOptions = {}): Tensor {
  return finish(wrap(N.linspace(start, end, steps, codeOf(o.dtype ?? "f32", "linspace"), checkDevice(o.device, "linspace"))), o);
}

export function eye(n: number, m = n, o: TensorOptions = {}): Tensor {
  return finish(wrap(N.eye(n, m, codeOf(o.dtype ?? "f32", "eye"), checkDevice(o.device, "eye"))), o);
}

export const zerosLike = (t: Tensor): Tensor => wrap(N.zerosLike(t.h));
export const onesLike = (t: Tensor): Tensor => wrap(N.onesLike(t.h));
export const fullLike = (t: Tensor, value: number | boolean): Tensor => wrap(N.fullLike(t.h, value));
