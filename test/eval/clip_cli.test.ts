/**
 * `laclip eval` with a real CLIP (the laclip-tiny preset, random weights, saved as a project checkpoint): its
 * JSON must agree with the model's own forward pass (logits of every image against every class prompt) on the
 * same images, and bad input must end in one clear message naming the path.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { Generator, fromHost, noGrad, tensor, tidy } from "../../src/engine/index.js";
import { preprocessBatch } from "../../src/image/index.js";
import { CLIP, clipPreset, imageTransformFor, saveClipCheckpoint } from "../../src/models/clip/index.js";
import { ClipTokenizer, writeMergesFile } from "../../src/tokenizer/index.js";
import { classesFromNames, clipEvalInputs, evalFromFiles, openImageFolder, zeroShotEval, type BenchmarkResult } from "../../src/eval/index.js";
import { runCli } from "../helpers/cli.js";
import { COLOURS, colourMerges } from "./tiny_models.js";

const NAMES = Object.keys(COLOURS);

async function fixture(root: string): Promise<{ images: string; paths: string[]; labels: number[] }> {
  const images = join(root, "imgs");
  const paths: string[] = [];
  const labels: number[] = [];
  for (const [i, n] of NAMES.entries()) {
    await mkdir(join(images, n), { recursive: true });
    const [r, g, b] = COLOURS[n]!.map((v) => v * 255) as [number, number, number];
    for (const [k, bg] of [{ r, g, b }, { r: r / 2, g: g / 2 + 60, b: 200 - b / 2 }].entries()) {
      const p = join(images, n, `${k}.png`);
      await sharp({ create: { width: 40 + k * 7, height: 36, channels: 3, background: bg } }).png().toFile(p);
      paths.push(p);
      labels.push(i);
    }
  }
  await writeFile(join(root, "classes.json"), JSON.stringify(NAMES));
  await writeFile(join(root, "templates.json"), JSON.stringify(["a photo of a {}."]));
  writeMergesFile(join(root, "merges.txt"), colourMerges());
  return { images, paths, labels };
}

test("laclip eval on a real CLIP checkpoint agrees with the model's forward pass", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "laclip-eval-cli-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const { images, paths, labels } = await fixture(root);
  const model = new CLIP(clipPreset("laclip-tiny"), { generator: new Generator(1234) });
  t.after(() => model.dispose());
  await saveClipCheckpoint(model, join(root, "ckpt"));

  const out = join(root, "result.json");
  const res = await runCli(["eval", "--checkpoint", join(root, "ckpt"), "--images", images, "--classes", join(root, "classes.json"),
    "--templates", join(root, "templates.json"), "--merges", join(root, "merges.txt"), "--batch", "5", "--out", out, "--dataset", "tiny-colours",
    "--text-heads", "4", "--vision-activation", "gelu"]); // overrides parse; a project checkpoint carries its own config
  assert.equal(res.code, 0, res.stderr);
  const line = JSON.parse(res.stdout) as { metrics: BenchmarkResult["metrics"]; out: string };
  const j = JSON.parse(await readFile(out, "utf8")) as BenchmarkResult;
  assert.deepEqual(line.metrics, j.metrics);
  assert.equal(j.model, "laclip-tiny");
  assert.equal(j.dataset, "tiny-colours");
  assert.equal(j.pretrained, join(root, "ckpt"));
  assert.equal(j.n_images, 12);

  // The same question through CLIP.forward: every image against the six prompts, scored by exp(scale) * cosine.
  const tok = new ClipTokenizer(colourMerges(), { contextLength: 16 });
  const pixels = await preprocessBatch(paths.map((path) => ({ path })), imageTransformFor(model.config));
  const logits = noGrad(() => tidy(() => {
    const x = tensor(pixels, { shape: [paths.length, 3, 32, 32] }); // (B, 3, S, S)
    const ids = fromHost(tok.encodeBatchI64(NAMES.map((n) => `a photo of a ${n}.`), 16)); // (C, T)
    return model.forward(x, ids).logitsPerImage.toTypedArray() as Float32Array; // (B, C)
  }));
  const C = NAMES.length;
  const correct1 = new Array<number>(C).fill(0);
  let top5 = 0;
  labels.forEach((label, i) => {
    const row = logits.subarray(i * C, (i + 1) * C);
    const higher = [...row].filter((v) => v > row[label]!).length;
    if (higher === 0) correct1[label]!++;
    if (higher < 5) top5++;
  });
  assert.deepEqual(j.per_class.map((c) => c.correct1), correct1);
  assert.equal(j.metrics.acc1, correct1.reduce((a, b) => a + b) / 12);
  assert.equal(j.metrics.acc5, top5 / 12);

});

// Under CPU bf16 autocast the linear layers run in bf16 and hand bf16 to layer norms with f32 weights, which
// libtorch 1.13's CPU layer_norm refuses on its own; the engine's layerNorm normalises those in f32.
test("bf16 autocast through the library on a real CLIP", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "laclip-eval-bf16-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const { images } = await fixture(root);
  const model = new CLIP(clipPreset("laclip-tiny"), { generator: new Generator(1234) });
  t.after(() => model.dispose());
  const tok = new ClipTokenizer(colourMerges(), { contextLength: 16 });
  const set = await openImageFolder(images, classesFromNames(NAMES));
  const fp32 = await zeroShotEval(model, set, { ...clipEvalInputs(model.config), tokenizer: tok, templates: ["a photo of a {}."] });
  const bf16 = await zeroShotEval(model, set, { ...clipEvalInputs(model.config), tokenizer: tok, templates: ["a photo of a {}."], bf16: true });
  assert.equal(bf16.nImages, 12);
  assert.ok(Math.abs(bf16.acc1 - fp32.acc1) <= 3 / 12, `bf16 acc1 ${bf16.acc1} vs fp32 ${fp32.acc1}`);
});

test("laclip eval reports bad input in one line naming the path", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "laclip-eval-cli-bad-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const { images } = await fixture(root);
  await rm(join(images, "cyan"), { recursive: true });
  const env = { ...process.env };
  delete env.LACLIP_BPE;
  const args = ["eval", "--checkpoint", join(root, "none"), "--images", images, "--classes", join(root, "classes.json")];
  const missing = await runCli([...args, "--merges", join(root, "merges.txt")], { env });
  assert.equal(missing.code, 1);
  assert.ok(missing.stderr.includes(`laclip eval: missing class folder(s) '${join(images, "cyan")}'`), missing.stderr);
  assert.equal(missing.stdout, "");

  const saved = process.env.LACLIP_BPE;
  delete process.env.LACLIP_BPE;
  t.after(() => void (saved !== undefined && (process.env.LACLIP_BPE = saved)));
  // Without --merges or LACLIP_BPE the shipped OpenAI vocabulary is used: the run gets as far as the data.
  await assert.rejects(evalFromFiles({ checkpoint: join(root, "none"), images, classes: join(root, "classes.json"), templates: "laclip-7" }),
    /missing class folder/);
});
