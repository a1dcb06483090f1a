/** What Module.to() converts to, and a converter that handles each tensor once (shared parameters stay shared). */
import { isFloating, noGrad, type Device, type DType, type Tensor } from "../engine/index.js";

export type ToTarget = DType | Device | { dtype?: DType; device?: Device };

const isDevice = (s: string): s is Device => s === "cpu" || s.startsWith("cuda");

/**
 * Returns a function giving the converted copy of a tensor, the same copy each time for the same tensor.
 * Copies are leaves (made under noGrad); integer tensors keep their dtype, as in PyTorch's Module.to.
 */
export function converter(target: ToTarget): (x: Tensor) => Tensor {
  const t = typeof target === "string" ? (isDevice(target) ? { device: target } : { dtype: target }) : target;
  const done = new Map<Tensor, Tensor>();
  return (x) => {
    let y = done.get(x);
    if (y === undefined) {
      const dtype = t.dtype !== undefined && isFloating(x.dtype) ? t.dtype : undefined;
      y = noGrad(() => x.to({ dtype, device: t.device }));
      done.set(x, y);
    }
    return y;
  };
}
