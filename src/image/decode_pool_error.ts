import { LaclipError } from "../errors/laclip_error.js";

/**
 * A job the decode pool could not run for reasons other than the image itself: the pool was closed, its queue
 * was full, or the worker running the job died. The image may be fine; retrying on a live pool can succeed.
 */
export class DecodePoolError extends LaclipError {}
