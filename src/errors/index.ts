export { LaclipError } from "./laclip_error.js";
export { ConfigError } from "./config_error.js";
export { FormatError, type FileLocation } from "./format_error.js";
export { UsageError } from "./usage_error.js";
