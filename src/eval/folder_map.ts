/**
 * A folder map: a JSON object from class folder name to class index (torchvision's `class_to_idx`), for image
 * folders whose sorted folder order is not the class order of the names file.
 */
import { readFile } from "node:fs/promises";
import { ConfigError } from "../errors/config_error.js";
import { FormatError } from "../errors/format_error.js";

export async function readFolderMap(file: string, classCount: number): Promise<Map<string, number>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== undefined) {
      throw new ConfigError(`cannot read the folder map '${file}' (${(err as NodeJS.ErrnoException).code})`, "folder-map", { cause: err });
    }
    throw new FormatError(`not valid JSON (${(err as Error).message}); a folder map is {"folder": classIndex, ...}`, { file }, { cause: err });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new FormatError('a folder map must be a JSON object {"folder": classIndex, ...}', { file });
  }
  return checkFolderMap(new Map(Object.entries(parsed)), classCount, file);
}

/** Checks every index is an integer class index; `file` names the map's origin in errors. */
export function checkFolderMap(map: ReadonlyMap<string, unknown>, classCount: number, file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [folder, index] of map) {
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= classCount) {
      throw new FormatError(`class index ${JSON.stringify(index)} is not an integer in [0, ${classCount - 1}] (the class names list has ${classCount})`, { file, key: folder });
    }
    out.set(folder, index);
  }
  if (out.size === 0) throw new FormatError("the folder map is empty", { file });
  return out;
}
