/**
 * An evaluation set from an image folder in torchvision's ImageFolder layout, `DIR/<class folder>/.../<image>`.
 * Which class a folder holds is decided, in this order:
 *   1. a folder map (`{"folder": index}`) when one is given; classes without a folder then have zero images;
 *   2. by name, when every folder is named exactly after a class (names unique): order does not matter, and a
 *      class without a folder is an error naming the folder it expected;
 *   3. otherwise by position, as ImageFolder does: sorted folder i holds class i, so the counts must agree.
 * Folders that match some class names but not all are refused rather than guessed at.
 */
import { join } from "node:path";
import { ConfigError } from "../errors/config_error.js";
import { EVAL_IMAGE_EXTENSIONS, imagesBelow, listDir } from "./image_files.js";
import type { EvalClass, EvalSample, EvalSet } from "./types.js";

export interface ImageFolderOptions {
  /** Folder name → class index (see folder_map.ts). */
  folderMap?: ReadonlyMap<string, number>;
  /** Where the class names came from, for messages. */
  classesSource?: string;
  /** Where the folder map came from, for messages. */
  folderMapSource?: string;
}

const listSome = (xs: readonly string[], n = 5): string => xs.slice(0, n).map((x) => `'${x}'`).join(", ") + (xs.length > n ? `, ... (${xs.length} in all)` : "");

function byMap(dir: string, dirs: readonly string[], map: ReadonlyMap<string, number>, classes: readonly EvalClass[], o: ImageFolderOptions, notes: string[]): Map<string, number> {
  const unmapped = dirs.filter((d) => !map.has(d));
  if (unmapped.length > 0) {
    throw new ConfigError(`folders ${listSome(unmapped.map((d) => join(dir, d)))} are not in the folder map ${o.folderMapSource ?? ""}; add them or move them out of '${dir}'`, "folder-map");
  }
  const absent = [...map.keys()].filter((f) => !dirs.includes(f));
  if (absent.length > 0) notes.push(`folder map names ${absent.length} folder(s) not in '${dir}' (${listSome(absent)}): their classes have 0 images`);
  notes.push(`folders matched to classes by the folder map ${o.folderMapSource ?? ""}`.trimEnd());
  const classless = classes.length - new Set(map.values()).size;
  if (classless > 0) notes.push(`${classless} class(es) have no folder in the map: 0 images`);
  return new Map(dirs.map((d) => [d, map.get(d)!]));
}

function byNameOrPosition(dir: string, dirs: readonly string[], classes: readonly EvalClass[], o: ImageFolderOptions, notes: string[]): Map<string, number> {
  const index = new Map<string, number>();
  classes.forEach((c, i) => index.set(c.name, index.has(c.name) ? -1 : i)); // -1: the name is not unique
  const unique = [...index.values()].every((i) => i >= 0);
  const named = dirs.filter((d) => index.has(d));
  const from = o.classesSource ? ` in ${o.classesSource}` : "";
  if (unique && named.length === dirs.length) {
    const missing = classes.filter((c) => !dirs.includes(c.name)).map((c) => join(dir, c.name));
    if (missing.length > 0) {
      throw new ConfigError(`missing class folder(s) ${listSome(missing)}: every class named${from} needs a folder of its images (or give a folder map that leaves it out)`, "images");
    }
    notes.push("folders matched to classes by name");
    return new Map(dirs.map((d) => [d, index.get(d)!]));
  }
  if (unique && named.length > 0) {
    const odd = dirs.filter((d) => !index.has(d)).map((d) => join(dir, d));
    throw new ConfigError(
      `some class folders are named after classes${from} and some are not (${listSome(odd)}); rename or remove those, or give a folder map`,
      "images",
    );
  }
  if (dirs.length !== classes.length) {
    throw new ConfigError(
      `'${dir}' has ${dirs.length} class folders but ${classes.length} classes are named${from}; as in torchvision's ImageFolder, ` +
        "sorted folder i holds class i, so the counts must agree (or give a folder map)",
      "images",
    );
  }
  notes.push(`folders matched to classes by sorted position (first: '${dirs[0]}' is class 0 '${classes[0]!.name}')`);
  return new Map(dirs.map((d, i) => [d, i]));
}

export async function openImageFolder(dir: string, classes: readonly EvalClass[], o: ImageFolderOptions = {}): Promise<EvalSet> {
  const { dirs, files } = await listDir(dir, "images");
  if (dirs.length === 0) {
    const loose = files.length > 0 ? ` (it holds ${files.length} files directly: put them in one folder per class, or list them in a path,label file)` : "";
    throw new ConfigError(`'${dir}' has no class folders; the layout is DIR/<class>/<image>${loose}`, "images");
  }
  const notes: string[] = [];
  const folderClass = o.folderMap ? byMap(dir, dirs, o.folderMap, classes, o, notes) : byNameOrPosition(dir, dirs, classes, o, notes);
  if (files.length > 0) notes.push(`${files.length} file(s) directly in '${dir}' ignored (not in a class folder)`);
  const samples: EvalSample[] = [];
  let other = 0;
  const empty: string[] = [];
  for (const d of dirs) {
    const { images, otherFiles } = await imagesBelow(join(dir, d), "images");
    other += otherFiles;
    if (images.length === 0) empty.push(join(dir, d));
    const label = folderClass.get(d)!;
    for (const path of images) samples.push({ path, label });
  }
  if (samples.length === 0) {
    throw new ConfigError(`no images below '${dir}' (looked for ${EVAL_IMAGE_EXTENSIONS.join(" ")} files in its class folders)`, "images");
  }
  if (empty.length > 0) notes.push(`class folder(s) without images: ${listSome(empty)}`);
  if (other > 0) notes.push(`${other} file(s) without an image extension ignored`);
  return { source: dir, classes, samples, notes };
}
