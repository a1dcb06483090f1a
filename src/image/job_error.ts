import { DecodePoolError } from "./decode_pool_error.js";
import { ImageDecodeError } from "./image_decode_error.js";

/**
 * The error a settled job carries. Anything that is neither a bad image nor pool trouble is a bug, but one job's
 * bug must not take down a long run either: it is wrapped, with its cause and the file, for the loader to log.
 */
export function asJobError(err: unknown, file: string): ImageDecodeError | DecodePoolError {
  if (err instanceof ImageDecodeError || err instanceof DecodePoolError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new DecodePoolError(`unexpected failure while decoding ${file}: ${msg}`, { cause: err });
}
