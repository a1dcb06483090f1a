import { LaclipError } from "../../errors/laclip_error.js";

/**
 * Optimizer state that does not fit the optimizer it is loaded into (another model, other parameter groups).
 * `problems` lists each one; the message shows them all.
 */
export class OptimizerStateError extends LaclipError {
  constructor(
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    const shown = problems.slice(0, 20).join("; ") + (problems.length > 20 ? `; ... and ${problems.length - 20} more` : "");
    super(`loadStateDict (optimizer): ${shown}. Nothing was loaded. Load state saved by an optimizer built over the same parameters in the same groups and order`, options);
  }
}
