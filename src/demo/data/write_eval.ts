/**
 * One held-out evaluation set: an image folder with one subfolder per class whose names sort in class order
 * (`0007-grinning-face`, the index first), the JSON list of class names, and `labels.csv` with
 * `image,label,class_name` rows (the label is the class index; image paths are relative to the CSV's folder).
 * The trainer's zero-shot evaluation reads the folder and the class list; the CSV serves any other reader.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { slugify } from "./codepoints.js";
import { csvLine } from "./csv_write.js";
import { linkOrCopy } from "./link_file.js";
import { mapLimit } from "./map_limit.js";

export interface EvalImage {
  /** The rendered file. */
  source: string;
  /** The file name inside its class folder. */
  fileName: string;
  label: number;
}

export interface EvalSetFiles {
  dir: string;
  /** The image folder (one subfolder per class). */
  images: string;
  classNamesFile: string;
  labelsCsv: string;
  classNames: string[];
  /** Images, and classes that have at least one image. */
  count: number;
  classesWithImages: number;
}

/** Where the files of an evaluation set in `dir` live. */
export function evalSetPaths(dir: string): Pick<EvalSetFiles, "dir" | "images" | "classNamesFile" | "labelsCsv"> {
  return { dir, images: join(dir, "images"), classNamesFile: join(dir, "classes.json"), labelsCsv: join(dir, "labels.csv") };
}

export async function writeEvalSet(dir: string, classNames: readonly string[], images: readonly EvalImage[]): Promise<Pick<EvalSetFiles, "count" | "classesWithImages">> {
  const width = String(Math.max(1, classNames.length - 1)).length;
  const folder = (label: number) => `${String(label).padStart(width, "0")}-${slugify(classNames[label]!) || "class"}`;
  const paths = evalSetPaths(dir);
  const rows = [...images].sort((a, b) => a.label - b.label || (a.fileName < b.fileName ? -1 : 1));
  // every class gets its folder, even an empty one, so a reader that numbers sorted folders never shifts labels
  await Promise.all(classNames.map((_, label) => mkdir(join(paths.images, folder(label)), { recursive: true })));
  await mapLimit(rows, 16, (img) => linkOrCopy(img.source, join(paths.images, folder(img.label), img.fileName)));
  const csv = rows.map((img) => csvLine([`images/${folder(img.label)}/${img.fileName}`, img.label, classNames[img.label]!])).join("");
  await writeFile(paths.classNamesFile, JSON.stringify(classNames, null, 1) + "\n");
  await writeFile(paths.labelsCsv, csvLine(["image", "label", "class_name"]) + csv);
  return { count: rows.length, classesWithImages: new Set(rows.map((r) => r.label)).size };
}
