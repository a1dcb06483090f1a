import { LaclipError } from "../../../errors/laclip_error.js";

/** A checkpoint that cannot be read or does not belong to this run; the message names the file and the fix. */
export class CheckpointError extends LaclipError {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}
