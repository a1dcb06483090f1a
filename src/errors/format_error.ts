import { LaclipError } from "./laclip_error.js";

/** Where in an input file a problem sits: the file, and a line, byte offset or key when known. */
export interface FileLocation {
  file: string;
  line?: number;
  offset?: number;
  key?: string;
}

function describe(loc: FileLocation): string {
  const parts = [loc.file];
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.offset !== undefined) parts.push(`byte ${loc.offset}`);
  if (loc.key !== undefined) parts.push(`key '${loc.key}'`);
  return parts.join(", ");
}

/** Input data that does not follow its format (a bad CSV row, a truncated safetensors file, a broken tar). */
export class FormatError extends LaclipError {
  constructor(
    message: string,
    readonly location: FileLocation,
    options?: { cause?: unknown },
  ) {
    super(`${describe(location)}: ${message}`, options);
  }
}
