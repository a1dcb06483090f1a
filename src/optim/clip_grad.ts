/** Gradient clipping as torch.nn.utils.clip_grad_norm_ / clip_grad_value_, in place on `.grad`. */
import { keep, noGrad, stack, tidy, type Tensor } from "../engine/index.js";
import { NonFiniteNormError } from "./errors/non_finite_norm_error.js";

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite (the gradients are then left as they are). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales all gradients by min(1, maxNorm / (total + 1e-6)), where total is the normType-norm of the per-
 * parameter norms (Infinity: the largest absolute value). Returns the total norm before clipping (0 when no
 * parameter has a gradient).
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2, o: ClipGradNormOptions = {}): number {
  const grads = [...params].map((p) => p.grad).filter((g): g is Tensor => g !== undefined);
  if (grads.length === 0) return 0;
  return noGrad(() =>
    tidy(() => {
      const total = totalNorm(grads, normType);
      const value = total.item();
      if (o.errorIfNonfinite && !Number.isFinite(value)) {
        throw new NonFiniteNormError(value, normType);
      }
      scaleGrads(grads, total, maxNorm);
      return value;
    }),
  );
}

/**
 * clipGradNorm without reading the norm on the host (no wait for the device): returns the total norm as a 0-d
 * tensor on the gradients' device, owned by the caller; undefined when no parameter has a gradient. A
 * non-finite norm cannot be refused here; it shows in the returned value.
 */
export function clipGradNormDeferred(params: Iterable<Tensor>, maxNorm: number, normType = 2): Tensor | undefined {
  const grads = [...params].map((p) => p.grad).filter((g): g is Tensor => g !== undefined);
  if (grads.length === 0) return undefined;
  return noGrad(() =>
    tidy(() => {
      const total = totalNorm(grads, normType);
      scaleGrads(grads, total, maxNorm);
      return keep(total);
    }),
  );
}

const totalNorm = (grads: readonly Tensor[], normType: number): Tensor =>
  normType === Infinity
    ? (grads.length === 1 ? grads[0]!.abs().max() : stack(grads.map((g) => g.abs().max())).max())
    : stack(grads.map((g) => g.norm(normType))).norm(normType);

// PyTorch computes max_norm / (total + 1e-6) as reciprocal() * max_norm, in the gradients' dtype.
function scaleGrads(grads: readonly Tensor[], total: Tensor, maxNorm: number): void {
  const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1.0);
  for (const g of grads) g.mul_(coef);
}

/** Clamps every gradient element into [-clipValue, clipValue]. */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  noGrad(() => {
    for (const p of params) p.grad?.clamp_(-clipValue, clipValue);
  });
}
