import { ConfigError } from "./config_error.js";

/**
 * A command line that cannot be used as given: an unknown option, a missing value, a value out of range. The
 * CLI reports it in one line and exits with status 2 (1 is for everything that fails after the line was read).
 */
export class UsageError extends ConfigError {}
