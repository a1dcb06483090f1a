/**
 * Grad mode and autocast regions. Both are libtorch thread-local state and every op runs on the JS thread,
 * so the regions are synchronous: an `await` inside one would let other code run under the same mode.
 */
import { LaclipError } from "../errors/laclip_error.js";
import { codeOf, type DType } from "./dtype.js";
import { EngineError } from "./errors/engine_error.js";
import { N } from "./native.js";
import { Tensor, wrap } from "./tensor_class.js";

function refuseAsync(result: unknown, what: string): void {
  if (result instanceof Promise) {
    throw new LaclipError(`${what} got an async function; its mode would leak into other code at the first await. Pass a synchronous function`);
  }
}

function withGradMode<T>(enabled: boolean, fn: () => T, what: string): T {
  const prev = N.isGradEnabled();
  N.setGradEnabled(enabled);
  let result: T;
  try {
    result = fn();
  } finally {
    N.setGradEnabled(prev);
  }
  refuseAsync(result, what);
  return result;
}

/** Runs `fn` without recording autograd history (torch.no_grad). */
export const noGrad = <T>(fn: () => T): T => withGradMode(false, fn, "noGrad()");
/** Runs `fn` with autograd recording on, even inside noGrad (torch.enable_grad). */
export const enableGrad = <T>(fn: () => T): T => withGradMode(true, fn, "enableGrad()");
export const isGradEnabled = (): boolean => N.isGradEnabled();

export interface AutocastOptions {
  /** Lower-precision dtype: bf16 on the CPU (libtorch 1.13 supports no other there); f16 or bf16 on CUDA. */
  dtype?: DType;
  device?: "cpu" | "cuda";
  enabled?: boolean;
}

/**
 * Runs `fn` under automatic mixed precision (torch.autocast): matmul/linear/conv run in `dtype`, precision-
 * sensitive ops in f32. Casts of weights are cached for the region and dropped when the outermost one ends.
 */
export function autocast<T>(o: AutocastOptions, fn: () => T): T {
  const device = o.device ?? "cpu";
  const dtype = o.dtype ?? "bf16";
  if (device === "cpu" && dtype !== "bf16") {
    throw new EngineError("autocast", "argument", `CPU autocast supports only bf16 in libtorch 1.13, got '${dtype}'`);
  }
  if (device === "cuda" && dtype !== "bf16" && dtype !== "f16") {
    throw new EngineError("autocast", "argument", `CUDA autocast takes f16 or bf16, got '${dtype}'`);
  }
  const [prevEnabled, prevDtype] = N.autocastPush(device, o.enabled ?? true, codeOf(dtype, "autocast"));
  let result: T;
  try {
    result = fn();
  } finally {
    N.autocastPop(device, prevEnabled, prevDtype);
  }
  refuseAsync(result, "autocast()");
  return result;
}

export const isAutocastEnabled = (device: "cpu" | "cuda" = "cpu"): boolean => N.isAutocastEnabled(device);

export interface GradOptions {
  gradOutputs?: Tensor[];
  retainGraph?: boolean;
  createGraph?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs` (torch.autograd.grad), returned rather than accumulated
 * into `.grad`; undefined where an input does not influence the outputs.
 */
export function grad(outputs: Tensor[], inputs: Tensor[], o: GradOptions = {}): (Tensor | undefined)[] {
  const res = N.autogradGrad(
    outputs.map((t) => t.h),
    inputs.map((t) => t.h),
    o.gradOutputs ? o.gradOutputs.map((t) => t.h) : null,
    o.retainGraph ?? o.createGraph ?? false,
    o.createGraph ?? false,
  );
  return res.map((h) => (h === undefined ? undefined : wrap(h)));
}
