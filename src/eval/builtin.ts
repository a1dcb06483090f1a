/**
 * Built-in datasets: class names and templates for the standard zero-shot sets, shipped in data/zeroshot/
 * (sources and licences in its README), under CLIP_benchmark's dataset names. Names come from CLIP_benchmark's
 * English class names where it has them, else from SLIP's labels.json (CLIP_benchmark takes the rest from
 * torchvision); templates default to CLIP_benchmark's, and `slip` picks SLIP's. ImageNet also has LaCLIP's 7
 * (`laclip-7`) and CLIP's 80 (`openai-80`). `metric` is what SLIP's (and LaCLIP's) tables report for the set:
 * mean per-class recall for Aircraft, Pets, Caltech-101 and Flowers, top-1 accuracy elsewhere.
 * `voc2007` and `voc2007_multilabel` (CLIP_benchmark's cropped single-label and multilabel VOC 2007, the latter
 * scored by mean average precision) have no class list in CLIP_benchmark's file: their classes are SLIP's 20 VOC
 * names in the VOC devkit's order, which is alphabetical and CLIP_benchmark's label order (SLIP lists them
 * otherwise).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors/config_error.js";
import { projectRoot } from "../util/project_root.js";
import { classesFromNames } from "./class_names.js";
import { BUILTIN_TEMPLATES, type TemplateSet } from "./templates.js";
import type { EvalClass } from "./types.js";

export type ReportedMetric = "acc1" | "mean_per_class_recall" | "mean_average_precision";

/** CLIP_benchmark name -> SLIP key, and the metric SLIP reports. */
const CATALOG: Readonly<Record<string, { slip?: string; metric: ReportedMetric; sorted?: boolean }>> = {
  imagenet1k: { slip: "imagenet", metric: "acc1" },
  food101: { slip: "food101", metric: "acc1" },
  cifar10: { slip: "cifar10", metric: "acc1" },
  cifar100: { slip: "cifar100", metric: "acc1" },
  cars: { slip: "cars", metric: "acc1" },
  fgvc_aircraft: { slip: "aircraft", metric: "mean_per_class_recall" },
  dtd: { slip: "dtd", metric: "acc1" },
  pets: { slip: "pets", metric: "mean_per_class_recall" },
  caltech101: { slip: "caltech101", metric: "mean_per_class_recall" },
  flowers: { slip: "flowers", metric: "mean_per_class_recall" },
  stl10: { slip: "stl10", metric: "acc1" },
  eurosat: { slip: "eurosat", metric: "acc1" },
  resisc45: { slip: "resisc45", metric: "acc1" },
  gtsrb: { slip: "gtsrb", metric: "acc1" },
  country211: { slip: "country211", metric: "acc1" },
  renderedsst2: { slip: "rendered_sst2", metric: "acc1" },
  sun397: { slip: "sun397", metric: "acc1" },
  mnist: { slip: "mnist", metric: "acc1" },
  fer2013: { slip: "fer2013", metric: "acc1" },
  pcam: { slip: "patch_camelyon", metric: "acc1" },
  clevr_count_all: { slip: "clevr_counts", metric: "acc1" },
  kitti_closest_vehicle_distance: { slip: "kitti_distance", metric: "acc1" },
  voc2007: { slip: "voc2007", metric: "acc1", sorted: true },
  voc2007_multilabel: { slip: "voc2007", metric: "mean_average_precision", sorted: true },
  birdsnap: { slip: "birdsnap", metric: "acc1" },
  cub200: { slip: "cub200", metric: "acc1" },
  svhn: { metric: "acc1" },
  dmlab: { metric: "acc1" },
  clevr_closest_object_distance: { metric: "acc1" },
  diabetic_retinopathy: { metric: "acc1" },
  caltech101_vtab: { metric: "acc1" },
};

export interface BuiltinDataset {
  name: string;
  classes: EvalClass[];
  templates: TemplateSet;
  metric: ReportedMetric;
}

const cache = new Map<string, unknown>();
function data<T>(file: string): T {
  if (!cache.has(file)) cache.set(file, JSON.parse(readFileSync(join(projectRoot(), "data", "zeroshot", file), "utf8")));
  return cache.get(file) as T;
}

/** The built-in names with class names available. */
export function builtinDatasetNames(): string[] {
  const cb = data<Record<string, unknown>>("clip_benchmark_en_classnames.json");
  return Object.entries(CATALOG).filter(([n, c]) => n in cb || c.slip !== undefined).map(([n]) => n);
}

export function isBuiltinDataset(name: string): boolean {
  return builtinDatasetNames().includes(name);
}

/**
 * The built-in dataset `name`; `templates` is `clip_benchmark` (default), `slip`, or for ImageNet `laclip-7`
 * or `openai-80`.
 */
export function builtinDataset(name: string, templates = "clip_benchmark"): BuiltinDataset {
  const entry = CATALOG[name];
  if (entry === undefined || !isBuiltinDataset(name)) {
    throw new ConfigError(`'${name}' is not a built-in dataset (built in: ${builtinDatasetNames().join(", ")}); pass --classes and --templates files instead`, "dataset");
  }
  const cbNames = data<Record<string, string[]>>("clip_benchmark_en_classnames.json")[name];
  const slipNames = entry.slip === undefined ? undefined : data<Record<string, (string | string[])[]>>("slip_labels.json")[entry.slip];
  const listed = name === "imagenet1k" ? data<string[]>("imagenet_classnames.json") : (cbNames ?? slipNames)!;
  const names = entry.sorted === true ? [...listed].sort() : listed;
  const cbTemplates = data<Record<string, string[]>>("clip_benchmark_en_templates.json")[name];
  const slipTemplates = entry.slip === undefined ? undefined : data<Record<string, string[]>>("slip_templates.json")[entry.slip];
  let list: readonly string[] | undefined;
  if (templates === "clip_benchmark") list = cbTemplates ?? slipTemplates;
  else if (templates === "slip") list = slipTemplates;
  else if (name === "imagenet1k" && templates === "openai-80") list = data<string[]>("imagenet_templates_80.json");
  else if (name === "imagenet1k" && templates === "laclip-7") list = BUILTIN_TEMPLATES["laclip-7"];
  if (list === undefined) {
    throw new ConfigError(`built-in dataset '${name}' has no '${templates}' templates (clip_benchmark, slip${name === "imagenet1k" ? ", laclip-7, openai-80" : ""}); pass a --templates file`, "templates");
  }
  return { name, classes: classesFromNames(names), templates: { name: `${name}:${templates}`, templates: [...list] }, metric: entry.metric };
}
