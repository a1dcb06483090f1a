import { LaclipError } from "../../errors/laclip_error.js";

/** clipGradNorm with errorIfNonfinite found a NaN or infinite total gradient norm. */
export class NonFiniteNormError extends LaclipError {
  constructor(
    readonly norm: number,
    readonly normType: number,
    options?: { cause?: unknown },
  ) {
    super(`clipGradNorm: the total ${normType}-norm of the gradients is ${norm}; the gradients were left unscaled. Look for the loss or layer that overflows (or lower the learning rate), or pass errorIfNonfinite: false to clip anyway`, options);
  }
}
