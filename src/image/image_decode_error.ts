import { FormatError } from "../errors/format_error.js";

/**
 * An image that cannot be turned into pixels: empty, truncated, not an image, or in a format libvips cannot read.
 * `file` is the path or the name the caller gave the bytes (a shard member, a URL); `reason` is the decoder's
 * own words without the file prefix, so the error can cross a worker boundary and be rebuilt unchanged.
 */
export class ImageDecodeError extends FormatError {
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot decode image (${reason}); check that the file is a complete JPEG, PNG, WebP, GIF, TIFF or AVIF, or drop it from the data`, { file }, options);
  }
}
