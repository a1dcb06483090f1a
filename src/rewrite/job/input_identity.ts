/**
 * What the journal records about the input, so a resume against other data is refused: the format, the reading
 * options, and a digest of the files' absolute paths and sizes (cheap even for thousands of tars; contents are not
 * hashed, a resume after editing a file in place with the same size is on the user).
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { InputFormat, InputSpec } from "../io/input_item.js";

export async function inputIdentity(format: InputFormat, files: readonly string[], spec: InputSpec): Promise<Record<string, unknown>> {
  const hash = createHash("sha256");
  for (const f of files) hash.update(`${resolve(f)}\0${(await stat(f)).size}\n`);
  return {
    format,
    files: files.length,
    first: files[0] === undefined ? undefined : resolve(files[0]),
    digest: hash.digest("hex").slice(0, 32),
    captionField: spec.captionField,
    idField: spec.idField,
    csvSeparator: spec.csvSeparator,
    csvHeader: spec.csvHeader,
    csvImageRowsOnly: spec.csvImageRowsOnly,
  };
}
