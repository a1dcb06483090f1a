#!/usr/bin/env node
// Generated training and evaluation data for the GPU check: N PNGs of a coloured square or stripe on grey
// (8 colours x 2 shapes, cycling), in ImageFolder layout (img/<colour>/<i>.png, so the colours are the eval
// classes), a LaCLIP CSV (image,caption: "a red square") with one rewrite file ("picture of a red square"),
// the class list, and a tiny model JSON for dry runs.
//   node scripts/device/make_data.mjs OUTDIR N SIZE
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";

const [out, nArg, sizeArg] = process.argv.slice(2);
if (out === undefined) {
  console.error("usage: make_data.mjs OUTDIR N SIZE");
  process.exit(2);
}
const n = Number(nArg ?? 64);
const size = Number(sizeArg ?? 64);
const COLOURS = [["black", [10, 10, 10]], ["blue", [30, 60, 220]], ["green", [30, 200, 40]], ["orange", [240, 140, 20]],
  ["purple", [140, 40, 180]], ["red", [220, 30, 30]], ["white", [245, 245, 245]], ["yellow", [230, 220, 30]]];
const SHAPES = ["square", "stripe"];

async function draw(path, rgb, shape, jitter) {
  const px = new Uint8Array(size * size * 3).fill(128);
  const lo = Math.floor(size * 0.2) + jitter, hi = Math.floor(size * 0.75) + jitter;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = shape === "square" ? x >= lo && x < hi && y >= lo && y < hi : y >= lo + 4 && y < lo + 10;
      if (inside) px.set(rgb, (y * size + x) * 3);
    }
  }
  await sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path);
}

const rows = ["image,caption"];
const rewrites = [];
for (const [name] of COLOURS) mkdirSync(join(out, "img", name), { recursive: true });
for (let i = 0; i < n; i++) {
  const [name, rgb] = COLOURS[i % COLOURS.length];
  const shape = SHAPES[Math.floor(i / COLOURS.length) % SHAPES.length];
  const file = `img/${name}/${String(i).padStart(5, "0")}.png`;
  await draw(join(out, file), rgb, shape, i % 3);
  rows.push(`${file},a ${name} ${shape}`);
  rewrites.push(`picture of a ${name} ${shape}`);
}
writeFileSync(join(out, "train.csv"), rows.join("\n") + "\n");
writeFileSync(join(out, "rewrites.txt"), rewrites.join("\n") + "\n");
writeFileSync(join(out, "classes.txt"), COLOURS.map(([name]) => name).join("\n") + "\n");
// Dry runs: a laclip-layout CLIP of a few layers of width 32 on 32 px images, with the CLIP vocabulary.
writeFileSync(join(out, "tiny_model.json"), JSON.stringify({
  layout: "laclip", embedDim: 16,
  vision: { imageSize: 32, patchSize: 8, width: 32, layers: 1, heads: 2 },
  text: { contextLength: 16, vocabSize: 49408, width: 32, layers: 1, heads: 2 },
}));
console.log(JSON.stringify({ dir: out, images: n, size, classes: COLOURS.length }));
