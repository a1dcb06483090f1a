import { EngineError } from "./engine_error.js";

/** A tensor was used after `dispose()` (directly, by a `tidy` scope that ended, or by `using`). */
export class DisposedTensorError extends EngineError {
  constructor(op: string, what = "a tensor that was already disposed") {
    super(
      op,
      "disposed",
      `used ${what}; keep it alive with keep(t) or return it from tidy(), or clone() it before disposing`,
    );
  }
}
