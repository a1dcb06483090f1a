/** Gradient clipping as torch.nn.utils.clip_grad_norm_ / clip_grad_value_, in place on `.grad`. */
import { noGrad, stack, tidy, type Tensor } from "../engine/index.js";
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
      const total = normType === Infinity
        ? (grads.length === 1 ? grads[0]!.abs().max() : stack(grads.map((g) => g.abs().max())).max())
        : stack(grads.map((g) => g.norm(normType))).norm(normType);
      const value = total.item();
      if (o.errorIfNonfinite && !Number.isFinite(value)) {
        throw new NonFiniteNormError(value, normType);
      }
      // PyTorch computes max_norm / (total + 1e-6) as reciprocal() * max_norm, in the gradients' dtype.
      const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1.0);
      for (const g of grads) g.mul_(coef);
      return value;
    }),
  );
}

/** Clamps every gradient element into [-clipValue, clipValue]. */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  noGrad(() => {
    for (const p of params) p.grad?.clamp_(-clipValue, clipValue);
  });
}
