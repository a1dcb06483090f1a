import { LaclipError } from "../../errors/laclip_error.js";

/**
 * An engine could not produce completions. `retryable` errors (timeouts, 429/5xx, resets, malformed answers) were
 * already retried by the engine; a non-retryable one (a 4xx such as 401/404, a missing model file) will not get
 * better by trying again, so the run should stop and say what to fix.
 */
export class EngineError extends LaclipError {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
