import { LaclipError } from "./laclip_error.js";

/** A setting, option or config file value that cannot be used. `key` names the offending option or key. */
export class ConfigError extends LaclipError {
  constructor(
    message: string,
    readonly key?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
