/**
 * Small evaluation sets in CLIP_benchmark's WebDataset layout, from generated images: solid colours (with a
 * little per-image brightness variation) whose class is the colour, and retrieval shards whose captions name
 * the colour. Image features of the colour test model are then known by hand: the normalised mean colour.
 */
import { writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { writeTar } from "../train/data_fixtures.js";
import { COLOURS } from "./tiny_models.js";

export const NAMES = Object.keys(COLOURS);

/** The RGB (0..255) of image `k` of colour `name`: the colour scaled by 1, 0.8, 0.6, ... (direction unchanged). */
export function shade(name: string, k: number): [number, number, number] {
  const s = 1 - 0.1 * (k % 5);
  return COLOURS[name]!.map((v) => Math.round(v * 255 * s)) as [number, number, number];
}

export async function png(rgb: readonly [number, number, number], size = 8): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

export interface ClsSample {
  label: number;
  rgb: [number, number, number];
}

/** A classification split: `perClass` images of every colour, interleaved, over `shards` shards. */
export async function writeClsSplit(root: string, split: string, perClass: number, shards = 1): Promise<ClsSample[]> {
  const samples: ClsSample[] = [];
  for (let k = 0; k < perClass; k++) NAMES.forEach((n, label) => samples.push({ label, rgb: shade(n, k) }));
  const per = Math.ceil(samples.length / shards);
  for (let s = 0; s < shards; s++) {
    const members: { name: string; data: string | Buffer }[] = [];
    for (let i = s * per; i < Math.min(samples.length, (s + 1) * per); i++) {
      const key = `s${String(i).padStart(7, "0")}`;
      members.push({ name: `${key}.png`, data: await png(samples[i]!.rgb) }, { name: `${key}.cls`, data: String(samples[i]!.label) });
    }
    await writeTar(join(root, split, `${s}.tar`), members);
  }
  await writeFile(join(root, split, "nshards.txt"), `${shards}\n`);
  return samples;
}

/** A CLIP_benchmark classification root with train and test splits, class names and templates. */
export async function writeClsDataset(root: string, train = 6, test = 4): Promise<{ train: ClsSample[]; test: ClsSample[] }> {
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "classnames.txt"), `${NAMES.join("\n")}\n`);
  await writeFile(join(root, "zeroshot_classification_templates.txt"), "a photo of a {c}.\nart of the {c}.\n");
  return { train: await writeClsSplit(root, "train", train), test: await writeClsSplit(root, "test", test, 2) };
}

/** A retrieval root: one image per colour, captioned with its name twice; the cyan image also gets "blue". */
export async function writeRetrievalDataset(root: string): Promise<{ captions: string[][] }> {
  await mkdir(join(root, "test"), { recursive: true });
  await writeFile(join(root, "dataset_type.txt"), "retrieval\n");
  const captions = NAMES.map((n) => (n === "cyan" ? [n, `a ${n} thing`, "blue"] : [n, `a ${n} thing`]));
  const members: { name: string; data: string | Buffer }[] = [];
  for (const [i, n] of NAMES.entries()) {
    const key = `s${String(i).padStart(7, "0")}`;
    members.push({ name: `${key}.webp`, data: await sharp(await png(shade(n, 0))).webp({ lossless: true }).toBuffer() }, { name: `${key}.txt`, data: `${captions[i]!.join("\n")}\n` });
  }
  await writeTar(join(root, "test", "0.tar"), members);
  await writeFile(join(root, "test", "nshards.txt"), "1\n");
  return { captions };
}
