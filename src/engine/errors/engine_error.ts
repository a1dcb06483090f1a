import { LaclipError } from "../../errors/laclip_error.js";

/** Why an engine call failed: libtorch refused it, an argument was malformed, or the device is unavailable. */
export type EngineErrorKind = "torch" | "argument" | "disposed" | "internal" | "device";

/**
 * A tensor operation that failed. `op` names the engine function (e.g. `matmul`); the message carries
 * libtorch's own explanation (its first paragraph; the full text, with dispatcher tables, is in `detail`).
 */
export class EngineError extends LaclipError {
  readonly detail: string;

  constructor(
    readonly op: string,
    readonly kind: EngineErrorKind,
    detail: string,
    options?: { cause?: unknown },
  ) {
    const first = detail.split(/\n\s*\n/)[0]!.trim();
    super(`${op}: ${first}`, options);
    this.detail = detail;
  }
}
