import { LaclipError } from "../../../errors/laclip_error.js";

/**
 * The loss of an optimizer step was NaN or infinite. Nothing of that step was applied (no backward, no update,
 * no checkpoint), so the newest checkpoint still holds the last good state.
 */
export class NonFiniteLossError extends LaclipError {
  constructor(
    readonly value: number,
    readonly step: number,
    /** Counted from 1. */
    readonly epoch: number,
    readonly lastCheckpoint: string | undefined,
  ) {
    super(
      `the loss of optimizer step ${step + 1} (epoch ${epoch}) is ${value}; training stopped before applying it. ` +
        (lastCheckpoint === undefined
          ? "No checkpoint with finite weights was written yet. "
          : `The last good checkpoint is ${lastCheckpoint}. `) +
        "Lower optim.lr, set optim.grad_clip, or train in fp32 (train.dtype=fp32), then restart: the run resumes from that checkpoint",
    );
  }
}
