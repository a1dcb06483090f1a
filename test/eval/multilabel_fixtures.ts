/**
 * A tiny multilabel set in CLIP_benchmark's WebDataset layout (`dataset_type.txt` = multilabel): solid-colour
 * images whose targets are given by hand, written as CLIP_benchmark's converter writes them (an `npy` member
 * holding numpy.save of a float32 0/1 vector) or as laclip's `cls` index list. The colour model's features are
 * known by hand: the unit mean colour for an image, the unit colour of its name for a class.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { npyHeader } from "../../src/io/npy/writer.js";
import { writeTar } from "../train/data_fixtures.js";
import { COLOURS } from "./tiny_models.js";
import { NAMES, png } from "./wds_fixtures.js";

export interface MultilabelSample {
  rgb: [number, number, number];
  /** Indices of the sample's classes (into NAMES). */
  positives: number[];
  form: "npy" | "cls";
}

/** numpy.save of a float32 (C,) vector: the bytes CLIP_benchmark's converter puts in a sample's `npy` member. */
export function npyVector(values: readonly number[]): Buffer {
  const header = npyHeader({ dtype: "f32", shape: [values.length] });
  return Buffer.concat([header, Buffer.from(Float32Array.from(values).buffer)]);
}

export const oneHot = (positives: readonly number[], classes = NAMES.length): number[] => Array.from({ length: classes }, (_, c) => (positives.includes(c) ? 1 : 0));

/**
 * Seeded samples: colours spread over the cube, each with 0..3 classes drawn at random (independent of the
 * colour, so no class is ranked perfectly) and magenta (index 5) never present: a class without positives.
 */
export function multilabelSamples(n: number, seed = 7): MultilabelSample[] {
  let s = seed;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31);
  return Array.from({ length: n }, (_, i) => {
    const rgb = [0, 1, 2].map(() => 20 + Math.floor(next() * 235)) as [number, number, number];
    const positives = [0, 1, 2, 3, 4].filter(() => next() < 0.35);
    return { rgb, positives, form: positives.length === 0 || i % 2 === 0 ? "npy" : "cls" }; // an empty 'cls' is refused
  });
}

/**
 * Writes `samples` as ROOT/SPLIT over `shards` shards, with classnames.txt (unless `classnames` is false: a
 * built-in set's classes, `classes` of them).
 */
export async function writeMultilabelDataset(root: string, samples: readonly MultilabelSample[], o: { split?: string; shards?: number; classnames?: boolean; classes?: number } = {}): Promise<void> {
  const split = o.split ?? "test";
  const shards = o.shards ?? 2;
  await mkdir(join(root, split), { recursive: true });
  await writeFile(join(root, "dataset_type.txt"), "multilabel\n");
  if (o.classnames !== false) await writeFile(join(root, "classnames.txt"), `${NAMES.join("\n")}\n`);
  await writeFile(join(root, "zeroshot_classification_templates.txt"), "a photo of a {c}.\nart of the {c}.\n");
  const per = Math.ceil(samples.length / shards);
  for (let sh = 0; sh < shards; sh++) {
    const members: { name: string; data: string | Buffer }[] = [];
    for (let i = sh * per; i < Math.min(samples.length, (sh + 1) * per); i++) {
      const x = samples[i]!;
      const key = `s${String(i).padStart(7, "0")}`;
      const label = x.form === "npy" ? { name: `${key}.npy`, data: npyVector(oneHot(x.positives, o.classes)) } : { name: `${key}.cls`, data: x.positives.join(",") };
      members.push({ name: `${key}.png`, data: await png(x.rgb) }, label);
    }
    await writeTar(join(root, split, `${sh}.tar`), members);
  }
  await writeFile(join(root, split, "nshards.txt"), `${shards}\n`);
}

/** (N, C) cosine logits of the colour model, in float64: unit mean colour . unit class colour. */
export function handLogits(samples: readonly MultilabelSample[]): number[][] {
  const unit = (v: readonly number[]): number[] => v.map((x) => x / Math.hypot(...v));
  const classes = NAMES.map((n) => unit(COLOURS[n]!));
  return samples.map((x) => {
    const f = unit(x.rgb.map((c) => c / 255));
    return classes.map((w) => w.reduce((a, wi, i) => a + wi * f[i]!, 0));
  });
}
