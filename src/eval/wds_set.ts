/**
 * CLIP_benchmark's WebDataset layout (datasets/builder.py `build_wds_dataset`), read from local files:
 *
 *   ROOT/classnames.txt                           one class name per line (classification)
 *   ROOT/zeroshot_classification_templates.txt    one template per line, `{c}` for the name
 *   ROOT/dataset_type.txt                         `retrieval`, `multilabel`, or absent for classification
 *   ROOT/SPLIT/nshards.txt                        the shard count N
 *   ROOT/SPLIT/0.tar ... N-1.tar                  samples: an image (webp, png, jpg or jpeg; the first of those
 *                                                 present) and `cls` (the class index), `txt` (captions, one per
 *                                                 line) or, multilabel, `npy` (a 0/1 vector over the classes; see
 *                                                 multilabel_targets.ts)
 *
 * Only the tar headers and the small `cls`/`txt` members are read here; images stay in the shards (each sample
 * records where its bytes are) and are decoded a batch at a time. Every problem is one error naming the file and
 * the sample key, with what to do.
 */
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { FormatError } from "../errors/format_error.js";
import { TarReader, type TarMember } from "../io/tar/reader.js";
import { groups } from "../train/data/wds_shard.js";
import { readClassNames } from "./class_names.js";
import { targetFromIndices, targetFromNpy, type TargetContext } from "./multilabel_targets.js";
import { readTemplates, type TemplateSet } from "./templates.js";
import type { EvalClass, EvalSample, EvalSet, MultilabelSet, RetrievalSet } from "./types.js";

/** Image extensions in CLIP_benchmark's order of preference. */
const IMAGE_KEYS = ["webp", "png", "jpg", "jpeg"];

export type WdsDataset =
  | { kind: "classification"; set: EvalSet; templates?: TemplateSet }
  | { kind: "retrieval"; set: RetrievalSet }
  | { kind: "multilabel"; set: MultilabelSet; templates?: TemplateSet };

export interface WdsOptions {
  /** Classes to use when the root has no classnames.txt (a built-in dataset's). */
  classes?: readonly EvalClass[];
}

async function shardPaths(root: string, split: string): Promise<string[]> {
  const dir = join(root, split);
  const file = join(dir, "nshards.txt");
  if (!existsSync(file)) {
    const splits = existsSync(root) ? (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name) : [];
    const found = splits.length > 0 ? `splits here: ${splits.join(", ")}` : existsSync(root) ? "no split folders here" : "the root does not exist";
    throw new FormatError(`missing: a CLIP_benchmark WebDataset split is SPLIT/nshards.txt beside 0.tar..N-1.tar (${found}); check --dataset-root and --split`, { file });
  }
  const text = (await readFile(file, "utf8")).trim();
  if (!/^\d+$/.test(text)) throw new FormatError(`holds ${JSON.stringify(text)}; it must be the shard count, one integer`, { file, line: 1 });
  const n = Number(text);
  const paths = Array.from({ length: n }, (_, i) => join(dir, `${i}.tar`));
  const missing = paths.find((p) => !existsSync(p));
  if (missing !== undefined) throw new FormatError(`says ${n} shards, but ${missing} does not exist; fix the count or restore the shard`, { file });
  return paths;
}

interface RawSample {
  shard: string;
  key: string;
  image: TarMember;
  /** The label member's extension (the first of `need` present) and bytes. */
  ext: string;
  body: Buffer;
}

const LABEL_MEMBER: Readonly<Record<string, string>> = { cls: "'cls' member (its class index)", txt: "'txt' member (its captions)", npy: "'npy' or 'cls' member (its classes)" };

async function readSamples(paths: readonly string[], need: readonly string[]): Promise<RawSample[]> {
  const out: RawSample[] = [];
  for (const shard of paths) {
    const tar = await TarReader.open(shard, { requireEnd: true });
    try {
      for await (const g of groups(tar)) {
        const image = IMAGE_KEYS.map((k) => g.members.get(k)).find((m) => m !== undefined);
        if (image === undefined) {
          throw new FormatError(`sample has members [${[...g.members.keys()].join(", ")}] but no image (${IMAGE_KEYS.join(", ")}); remove the sample or add its image`, { file: shard, key: g.key });
        }
        const ext = need.find((k) => g.members.has(k));
        if (ext === undefined) throw new FormatError(`sample has no ${LABEL_MEMBER[need[0]!]}; every sample of this split needs one`, { file: shard, key: g.key });
        out.push({ shard, key: g.key, image, ext, body: await tar.body(g.members.get(ext)!) });
      }
    } finally {
      await tar.close();
    }
  }
  return out;
}

const sampleOf = (r: RawSample, label: number): EvalSample => ({
  path: r.shard,
  label,
  member: { name: `${r.shard}:${r.image.name}`, offset: r.image.bodyOffset, size: r.image.size },
});

async function datasetType(root: string): Promise<string> {
  const file = join(root, "dataset_type.txt");
  return existsSync(file) ? (await readFile(file, "utf8")).trim() : "classification";
}

export async function openWdsSplit(root: string, split: string, o: WdsOptions = {}): Promise<WdsDataset> {
  const type = await datasetType(root);
  if (type !== "retrieval" && type !== "classification" && type !== "multilabel") {
    throw new FormatError(`says ${JSON.stringify(type)}; it must be 'retrieval', 'multilabel', or the file absent (classification)`, { file: join(root, "dataset_type.txt") });
  }
  const paths = await shardPaths(root, split);
  const source = join(root, split);
  const raw = await readSamples(paths, type === "retrieval" ? ["txt"] : type === "multilabel" ? ["npy", "cls"] : ["cls"]);
  if (raw.length === 0) throw new FormatError(`the split has no samples in its ${paths.length} shard(s); check --split or rebuild the shards`, { file: join(source, "nshards.txt") });
  if (type === "retrieval") {
    const captions = raw.map((r) => {
      const lines = r.body.toString("utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
      if (lines.length === 0) throw new FormatError("sample's 'txt' member holds no caption; give it at least one line", { file: r.shard, key: r.key });
      return lines;
    });
    return { kind: "retrieval", set: { source, images: raw.map((r, i) => sampleOf(r, i)), captions, notes: [] } };
  }
  const namesFile = join(root, "classnames.txt");
  const classes = existsSync(namesFile) ? await readClassNames(namesFile) : o.classes;
  if (classes === undefined) throw new FormatError(`missing: a ${type} split needs ROOT/classnames.txt (one class name per line) unless the dataset is built in`, { file: namesFile });
  const classesSource = existsSync(namesFile) ? namesFile : "the built-in class list";
  const templatesFile = join(root, "zeroshot_classification_templates.txt");
  const templates = existsSync(templatesFile) ? await readTemplates(templatesFile) : undefined;
  if (type === "multilabel") {
    const ctx = (r: RawSample): TargetContext => ({ file: r.shard, key: r.key, classes: classes.length, classesSource });
    const targets = raw.map((r) => (r.ext === "npy" ? targetFromNpy(r.body, ctx(r)) : targetFromIndices(r.body.toString("utf8"), ctx(r))));
    return { kind: "multilabel", set: { source, classes, samples: raw.map((r, i) => sampleOf(r, i)), targets, notes: [] }, templates };
  }
  const samples = raw.map((r) => {
    const text = r.body.toString("utf8").trim();
    const label = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(label < classes.length)) {
      const why = Number.isNaN(label) ? `'cls' is ${JSON.stringify(text)}, not a class index` : `class ${label} is out of range: ${classesSource} has ${classes.length} classes (0..${classes.length - 1})`;
      throw new FormatError(`${why}; fix the sample's label or the class names`, { file: r.shard, key: r.key });
    }
    return sampleOf(r, label);
  });
  return { kind: "classification", set: { source, classes, samples, notes: [] }, templates };
}
