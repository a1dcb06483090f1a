/**
 * A zero-shot task from files: class names, templates, and images as an ImageFolder directory or a
 * `.csv`/`.jsonl` label list. What `laclip eval` and the trainer's `eval.*` settings point at.
 */
import { stat } from "node:fs/promises";
import { ConfigError } from "../errors/config_error.js";
import { readClassNames } from "./class_names.js";
import { readFolderMap } from "./folder_map.js";
import { openImageFolder } from "./image_folder.js";
import { openLabelList } from "./label_list.js";
import { readTemplates, type TemplateSet } from "./templates.js";
import type { EvalSet } from "./types.js";

export interface TaskFiles {
  /** An ImageFolder directory, or a .csv/.jsonl list of path,label. */
  images: string;
  /** Class names file (JSON list, or text one per line). */
  classes: string;
  /** Templates file, or a built-in name (`laclip-7`). */
  templates: string;
  /** JSON {folder: classIndex} for an ImageFolder whose folders are not in class order. */
  folderMap?: string;
  /** For a label list: the folder its relative paths are under (default: the list's folder). */
  imageRoot?: string;
}

export interface ZeroShotTask {
  set: EvalSet;
  templates: TemplateSet;
}

export async function openZeroShotTask(f: TaskFiles): Promise<ZeroShotTask> {
  const classes = await readClassNames(f.classes);
  const templates = await readTemplates(f.templates);
  const info = await stat(f.images).catch((err: NodeJS.ErrnoException) => {
    throw new ConfigError(`cannot open the evaluation images '${f.images}' (${err.code ?? err.message})`, "images", { cause: err });
  });
  if (info.isDirectory()) {
    if (f.imageRoot !== undefined) throw new ConfigError("an image root applies to a label list, not to an image folder", "image-root");
    const folderMap = f.folderMap === undefined ? undefined : await readFolderMap(f.folderMap, classes.length);
    const set = await openImageFolder(f.images, classes, { folderMap, classesSource: f.classes, folderMapSource: f.folderMap });
    return { set, templates };
  }
  if (f.folderMap !== undefined) throw new ConfigError("a folder map applies to an image folder, not to a label list", "folder-map");
  return { set: await openLabelList(f.images, classes, { imageRoot: f.imageRoot }), templates };
}
