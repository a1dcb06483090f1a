import { LaclipError } from "../../errors/laclip_error.js";

/** Why a sample cannot be used; the pipeline counts these and skips the sample, it never stops a run. */
export type BadReason =
  | "missing_caption"
  | "missing_image"
  | "unreadable_image"
  | "bad_json"
  | "bad_row"
  | "bad_member"
  | "bad_shard"
  | "undecodable_image"
  | (string & {});

/**
 * One unusable sample: `file` and `row` (0-based sample row) or `key` say which, so a user can find and fix it.
 * Thrown by dataset readers and caught by the pipeline, which records it in `BadSamples`.
 */
export class SampleError extends LaclipError {
  constructor(
    readonly reason: BadReason,
    readonly file: string,
    detail: string,
    readonly where: { row?: number; key?: string } = {},
    options?: { cause?: unknown },
  ) {
    const at = [file, where.row !== undefined ? `row ${where.row}` : "", where.key !== undefined ? `key '${where.key}'` : ""]
      .filter((s) => s !== "")
      .join(", ");
    super(`${at}: ${reason}: ${detail}`, options);
  }
}
