/**
 * What `--dataset NAME --dataset-root DIR --split S` names, opened: a CLIP_benchmark WebDataset (`wds/NAME`, or
 * any name whose root holds `S/nshards.txt`), an ImageFolder `DIR/S/<class>/...` for a built-in name or with a
 * class file, or a retrieval list (`.csv`, `.jsonl`, Karpathy `.json`) given as the dataset itself. Class names
 * come from `--classes`, else the dataset's own classnames.txt, else the built-in list; templates likewise.
 * A path,label list with `--classes` whose rows give `labels` (several per image) is a multilabel set.
 */
import { existsSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { ConfigError } from "../errors/config_error.js";
import { builtinDataset, isBuiltinDataset } from "./builtin.js";
import { readClassNames } from "./class_names.js";
import { readFolderMap } from "./folder_map.js";
import { openImageFolder } from "./image_folder.js";
import { openLabelList } from "./label_list.js";
import { openMultilabelList } from "./multilabel_list.js";
import { openRetrievalList } from "./retrieval_list.js";
import { readTemplates, type TemplateSet } from "./templates.js";
import type { EvalClass, EvalSet, MultilabelSet, RetrievalSet } from "./types.js";
import { openWdsSplit } from "./wds_set.js";

export interface DatasetRequest {
  /** `wds/NAME`, a built-in name, a retrieval list file, an ImageFolder directory or a path,label list. */
  dataset: string;
  /** The dataset's root; `{dataset}` and `{dataset_cleaned}` (slashes as dashes) are filled in, as CLIP_benchmark does. */
  root?: string;
  /** Class names file (overrides the dataset's own and the built-in list). */
  classes?: string;
  /** Templates: a file, `laclip-7`, `openai-80`, or for a built-in dataset `clip_benchmark` / `slip`. */
  templates?: string;
  /** For an ImageFolder whose folders are not in class order. */
  folderMap?: string;
  /** Folder relative paths of a list file are under. */
  imageRoot?: string;
}

export type OpenedSplit =
  | { kind: "classification"; set: EvalSet; templates?: TemplateSet }
  | { kind: "retrieval"; set: RetrievalSet }
  | { kind: "multilabel"; set: MultilabelSet; templates?: TemplateSet };

/** The dataset's name without `wds/`. */
export const datasetBaseName = (dataset: string): string => dataset.replace(/^wds\//, "");

export function datasetRoot(req: DatasetRequest): string | undefined {
  const name = datasetBaseName(req.dataset);
  return req.root?.replaceAll("{dataset}", name).replaceAll("{dataset_cleaned}", name.replaceAll("/", "-"));
}

async function classesFor(req: DatasetRequest, fallback?: readonly EvalClass[]): Promise<readonly EvalClass[] | undefined> {
  if (req.classes !== undefined) return readClassNames(req.classes);
  const name = datasetBaseName(req.dataset);
  return fallback ?? (isBuiltinDataset(name) ? builtinDataset(name).classes : undefined);
}

async function templatesFor(req: DatasetRequest, own?: TemplateSet): Promise<TemplateSet | undefined> {
  const name = datasetBaseName(req.dataset);
  const builtin = isBuiltinDataset(name);
  const t = req.templates;
  if (t !== undefined && builtin && (t === "clip_benchmark" || t === "slip" || (name === "imagenet1k" && !existsSync(t)))) return builtinDataset(name, t).templates;
  if (t !== undefined) return readTemplates(t);
  return own ?? (builtin ? builtinDataset(name).templates : undefined);
}

export async function openDatasetSplit(req: DatasetRequest, split: string): Promise<OpenedSplit> {
  const name = datasetBaseName(req.dataset);
  const root = datasetRoot(req);
  const isList = [".csv", ".jsonl", ".json"].includes(extname(req.dataset).toLowerCase()) && existsSync(req.dataset);
  if (isList && req.classes === undefined) return { kind: "retrieval", set: await openRetrievalList(req.dataset, { imageRoot: req.imageRoot, split }) };
  if (isList || (existsSync(req.dataset) && statSync(req.dataset).isDirectory() && root === undefined)) {
    // the older forms: an ImageFolder directory or a path,label list, with a class file
    if (req.classes === undefined) throw new ConfigError(`'${req.dataset}' is an image folder or label list; pass --classes FILE with its class names`, "classes");
    const classes = await readClassNames(req.classes);
    const multi = isList ? await openMultilabelList(req.dataset, classes, { imageRoot: req.imageRoot }) : undefined;
    if (multi !== undefined) return { kind: "multilabel", set: multi, templates: await templatesFor(req) };
    const set = isList
      ? await openLabelList(req.dataset, classes, { imageRoot: req.imageRoot })
      : await openImageFolder(req.dataset, classes, { classesSource: req.classes, folderMap: req.folderMap === undefined ? undefined : await readFolderMap(req.folderMap, classes.length), folderMapSource: req.folderMap });
    return { kind: "classification", set, templates: await templatesFor(req) };
  }
  if (root === undefined) {
    throw new ConfigError(`--dataset '${req.dataset}' needs --dataset-root DIR (a CLIP_benchmark WebDataset root, or an ImageFolder root with one folder per split)`, "dataset-root");
  }
  if (req.dataset.startsWith("wds/") || existsSync(join(root, split, "nshards.txt"))) {
    const fallback = await classesFor(req);
    const opened = await openWdsSplit(root, split, { classes: fallback });
    if (opened.kind === "retrieval") return opened;
    const templates = await templatesFor(req, opened.templates);
    if (opened.kind === "multilabel") {
      if (req.classes === undefined) return { kind: "multilabel", set: opened.set, templates };
      if (fallback!.length !== opened.set.classes.length) {
        throw new ConfigError(`--classes ${req.classes} has ${fallback!.length} classes, but the multilabel targets under '${root}' cover ${opened.set.classes.length}; give a class file with one name per target position`, "classes");
      }
      return { kind: "multilabel", set: { ...opened.set, classes: fallback! }, templates };
    }
    const set = req.classes === undefined ? opened.set : { ...opened.set, classes: fallback! };
    return { kind: "classification", set, templates };
  }
  const dir = join(root, split);
  if (!existsSync(dir)) throw new ConfigError(`no split '${split}' under '${root}': expected ${join(dir, "nshards.txt")} (WebDataset) or the folder ${dir}/<class>/ (ImageFolder); check --dataset-root and --split`, "split");
  const classes = await classesFor(req);
  if (classes === undefined) throw new ConfigError(`'${name}' is not a built-in dataset; pass --classes FILE for the ImageFolder ${dir}`, "classes");
  const folderMap = req.folderMap === undefined ? undefined : await readFolderMap(req.folderMap, classes.length);
  return { kind: "classification", set: await openImageFolder(dir, classes, { folderMap, folderMapSource: req.folderMap }), templates: await templatesFor(req) };
}
