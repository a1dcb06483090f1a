/**
 * Zero-shot evaluation end to end on real image files: a generated ImageFolder of solid colours and shapes on
 * black, and a tiny model whose answer is known (image feature = mean colour; class text = the colour of its
 * name's token), so every metric can be worked out by hand.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { liveTensors } from "../../src/engine/index.js";
import { DecodePool, evalTransform } from "../../src/image/index.js";
import { benchmarkResult, classesFromNames, openImageFolder, writeResult, zeroShotEval, type BenchmarkResult } from "../../src/eval/index.js";
import { COLOURS, colourModel, colourTokenizer } from "./tiny_models.js";

const NAMES = ["red", "green", "blue", "yellow", "cyan", "magenta"];
const rgb = (name: string) => ({ r: COLOURS[name]![0] * 255, g: COLOURS[name]![1] * 255, b: COLOURS[name]![2] * 255 });

async function solid(path: string, colour: string, w: number, h: number): Promise<void> {
  await sharp({ create: { width: w, height: h, channels: 3, background: rgb(colour) } }).png().toFile(path);
}

/** A filled circle of the colour on black: anti-aliased edges mix with black, so the mean keeps its direction. */
async function circle(path: string, colour: string): Promise<void> {
  const { r, g, b } = rgb(colour);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="20" height="16"><rect width="20" height="16" fill="black"/><circle cx="10" cy="8" r="6" fill="rgb(${r},${g},${b})"/></svg>`;
  await sharp(Buffer.from(svg)).webp({ lossless: true }).toFile(path);
}

/**
 * Per class: one solid PNG and one circle WebP, in its own folder. Plus, by hand:
 * - a yellow image in red/: scores yellow 1, red = green = 0.707 (red wins the tie by index) -> rank 1: top-5 hit, top-1 miss;
 * - a red image in cyan/: scores red 1, yellow = magenta = 0.707, then green = blue = cyan = 0 -> rank 5: a miss at top-5;
 * - a file in blue/ that is not an image -> skipped, named.
 */
async function makeFolder(root: string): Promise<string> {
  const dir = join(root, "colours");
  for (const n of NAMES) {
    await mkdir(join(dir, n), { recursive: true });
    await solid(join(dir, n, "solid.png"), n, 12, 9);
    await circle(join(dir, n, "circle.webp"), n);
  }
  await solid(join(dir, "red", "odd_yellow.png"), "yellow", 10, 10);
  await solid(join(dir, "cyan", "odd_red.png"), "red", 9, 14);
  await writeFile(join(dir, "blue", "broken.png"), "this is not a png");
  return dir;
}

const TRANSFORM = evalTransform({ size: 8, normalize: { mean: [0, 0, 0], std: [1, 1, 1] } });

async function run(root: string, workers: number): Promise<BenchmarkResult> {
  const tok = colourTokenizer();
  const model = colourModel(tok);
  const set = await openImageFolder(join(root, "colours"), classesFromNames(NAMES));
  const decoder = workers > 0 ? new DecodePool({ workers }) : undefined;
  const lines: string[] = [];
  try {
    const report = await zeroShotEval(model, set, {
      tokenizer: tok, contextLength: 16, templates: ["a photo of a {}.", "art of the {}."], transform: TRANSFORM, batchSize: 4, decoder, log: (l) => lines.push(l),
    });
    assert.deepEqual(model.modes, [false, true], "evaluated in eval mode, training mode restored");
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /skipped .*blue\/broken\.png/);
    return benchmarkResult(report, { dataset: "colours", model: "tiny-colour", pretrained: "none", templates: "two", nTemplates: 2 });
  } finally {
    await decoder?.close();
  }
}

test("a known model on a generated ImageFolder gives the hand-computed metrics and JSON", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "laclip-eval-e2e-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  await makeFolder(root);
  const before = liveTensors();
  const r = await run(root, 0);
  assert.equal(liveTensors(), before, "no tensor is left behind");
  const out = join(root, "result.json");
  await writeResult(out, r);
  const j = JSON.parse(await readFile(out, "utf8")) as BenchmarkResult;
  assert.deepEqual(
    { dataset: j.dataset, model: j.model, pretrained: j.pretrained, task: j.task, language: j.language },
    { dataset: "colours", model: "tiny-colour", pretrained: "none", task: "zeroshot_classification", language: "en" },
  );
  assert.equal(j.n_images, 14);
  assert.equal(j.n_classes, 6);
  assert.equal(j.n_skipped, 1);
  assert.match(j.skipped[0]!.path, /blue\/broken\.png$/);
  assert.equal(j.metrics.acc1, 12 / 14);
  assert.equal(j.metrics.acc5, 13 / 14);
  assert.ok(Math.abs(j.metrics.mean_per_class_recall - (4 + 2 / 3 + 2 / 3) / 6) < 1e-12, String(j.metrics.mean_per_class_recall));
  assert.deepEqual(j.per_class.map((c) => [c.class, c.n, c.correct1]), [
    ["red", 3, 2], ["green", 2, 2], ["blue", 2, 2], ["yellow", 2, 2], ["cyan", 3, 2], ["magenta", 2, 2],
  ]);
  assert.equal(j.templates, "two");
  assert.equal(j.n_templates, 2);
  assert.equal(j.n_non_finite, 0);
});

test("decoding on a worker pool gives the same result as decoding inline", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "laclip-eval-pool-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  await makeFolder(root);
  const inline = await run(root, 0);
  const pooled = await run(root, 1);
  assert.deepEqual({ ...pooled, seconds: null }, { ...inline, seconds: null });
});
