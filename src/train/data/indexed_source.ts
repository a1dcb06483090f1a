/**
 * A dataset with random access by row: the CSV and JSONL formats. Reading a row either gives a `Sample` or
 * throws a `SampleError` (missing caption, missing image), which the map-style pipeline counts and replaces.
 */
import { stat } from "node:fs/promises";
import type { Sample } from "./types.js";
import { SampleError } from "./sample_error.js";

export interface IndexedSource {
  /** The file the rows come from, for log lines. */
  readonly file: string;
  readonly size: number;
  read(index: number): Promise<Sample>;
  close(): Promise<void>;
}

/** Throws `missing_image` / `unreadable_image` unless `path` is a readable regular file. */
export async function checkImageFile(path: string, file: string, where: { row?: number; key?: string }): Promise<void> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new SampleError("unreadable_image", file, `${path} is not a regular file`, where);
  } catch (err) {
    if (err instanceof SampleError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" || code === "ENOTDIR" ? "missing_image" : "unreadable_image";
    throw new SampleError(reason, file, `image ${path}: ${code ?? String(err)}`, where, { cause: err });
  }
}
