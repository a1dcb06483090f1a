/**
 * A tiny, real training setup for loader and trainer tests: coloured-shape PNGs made with sharp, a LaCLIP CSV
 * with two rewrite files, a BPE merges file learned from the captions, a CLIP small enough to train in
 * milliseconds per step, and a config pointing at all of it. Importing this file does nothing.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import sharp from "sharp";
import { ClipTokenizer, trainBpeFromCounts, writeMergesFile } from "../../src/tokenizer/index.js";
import { loadConfig, type TrainConfig } from "../../src/train/config/index.js";

export const COLOURS: readonly [string, [number, number, number]][] = [
  ["red", [220, 30, 30]], ["green", [30, 200, 40]], ["blue", [30, 60, 220]], ["yellow", [230, 220, 30]],
  ["purple", [140, 40, 180]], ["orange", [240, 140, 20]], ["black", [10, 10, 10]], ["white", [245, 245, 245]],
];
const SHAPES = ["square", "stripe"];

export async function tempDir(t: TestContext, prefix = "laclip-trainer-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A 24x20 PNG: a coloured square or stripe on grey. */
async function drawImage(path: string, rgb: [number, number, number], shape: string): Promise<void> {
  const w = 24, h = 20;
  const px = new Uint8Array(w * h * 3).fill(128);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = shape === "square" ? x >= 4 && x < 18 && y >= 3 && y < 17 : y >= 8 && y < 12;
      if (inside) px.set(rgb, (y * w + x) * 3);
    }
  }
  await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(path);
}

export interface TinyData {
  dir: string;
  csv: string;
  rewrites: string[];
  merges: string;
  modelConfig: string;
  captions: string[];
  /** Rows whose image file holds bytes that are not an image. */
  broken: number[];
}

/**
 * `n` samples (colour x shape, cycling), captions "a red square", rewrites "red square drawing" and
 * "picture of a red square"; rows listed in `broken` get a file that is not an image.
 */
export async function tinyData(t: TestContext, o: { n?: number; broken?: number[] } = {}): Promise<TinyData> {
  const dir = await tempDir(t);
  const n = o.n ?? 16;
  const broken = o.broken ?? [];
  await mkdir(join(dir, "img"));
  const rows = ["image,caption"];
  const rw1: string[] = [];
  const rw2: string[] = [];
  const captions: string[] = [];
  for (let i = 0; i < n; i++) {
    const [name, rgb] = COLOURS[i % COLOURS.length]!;
    const shape = SHAPES[Math.floor(i / COLOURS.length) % SHAPES.length]!;
    const file = `img/${String(i).padStart(3, "0")}.png`;
    if (broken.includes(i)) await writeFile(join(dir, file), "this is not a png");
    else await drawImage(join(dir, file), rgb, shape);
    captions.push(`a ${name} ${shape}`);
    rows.push(`${file},a ${name} ${shape}`);
    rw1.push(`${name} ${shape} drawing`);
    rw2.push(`picture of a ${name} ${shape}`);
  }
  const csv = join(dir, "train.csv");
  await writeFile(csv, rows.join("\n") + "\n");
  const rewrites = [join(dir, "rw_one.txt"), join(dir, "rw_two.txt")];
  await writeFile(rewrites[0]!, rw1.join("\n") + "\n");
  await writeFile(rewrites[1]!, rw2.join("\n") + "\n");
  const words = new Map<string, number>();
  for (const line of [...captions, ...rw1, ...rw2]) for (const w of line.split(" ")) words.set(w, (words.get(w) ?? 0) + 1);
  const merges = join(dir, "merges.txt");
  writeMergesFile(merges, trainBpeFromCounts(words, { numMerges: 60, minFrequency: 1 }));
  const vocab = new ClipTokenizer(trainBpeFromCounts(words, { numMerges: 60, minFrequency: 1 })).vocabSize;
  const modelConfig = join(dir, "tiny_model.json");
  await writeFile(modelConfig, JSON.stringify(tinyModel(vocab)));
  return { dir, csv, rewrites, merges, modelConfig, captions, broken };
}

/** A laclip-layout CLIP of a few thousand parameters: 16 px images, 8 px patches, 1 block per tower. */
export function tinyModel(vocabSize: number) {
  return {
    layout: "laclip",
    embedDim: 8,
    vision: { imageSize: 16, patchSize: 8, width: 16, layers: 1, heads: 2 },
    text: { contextLength: 8, vocabSize, width: 16, layers: 1, heads: 2 },
  };
}

/** A config for `d`: batch 4, fp32, no TensorBoard, no progress output, plus `overrides`. */
export async function tinyConfig(d: TinyData, out: string, overrides: string[] = []): Promise<TrainConfig> {
  return loadConfig({
    overrides: [
      `model.name=${d.modelConfig}`, "data.format=csv", `data.train=${d.csv}`, `data.rewrites=[${d.rewrites.join(",")}]`,
      "data.workers=0", "text.augment=laclip", "train.batch_size=4", "train.epochs=2", "train.dtype=fp32", "train.seed=3",
      "optim.lr=0.01", "optim.warmup_steps=2", "checkpoint.every_steps=2", `checkpoint.output_dir=${out}`,
      "log.every_steps=1", "log.tensorboard=false", "log.progress=none", ...overrides,
    ],
  });
}
