/**
 * An `onnx` export loads in transformers.js (@huggingface/transformers, from the local folder, nothing remote)
 * and its zero-shot-image-classification pipeline gives laclip's own scores for the same prompts and image:
 * within 1e-4 with the float32 graphs; within 0.05 with the int8 (`_quantized`, dtype q8) graphs, whose
 * per-channel int8 weights move the scores of these random tiny models (logit scale 30) by up to 0.04.
 * The images are at the model's size: transformers.js in Node then resizes nothing, so both sides see the same
 * pixels (for other sizes its un-antialiased affine resize differs from laclip's, see docs/export.md).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import sharp from "sharp";
import { env, pipeline, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, AutoTokenizer, AutoProcessor, RawImage } from "@huggingface/transformers";
import { fromHost, noGrad, tensor, tidy } from "../../src/engine/index.js";
import { exportOnnx } from "../../src/export/onnx/index.js";
import { preprocessBatch } from "../../src/image/index.js";
import { imageTransformFor, resolveClipConfig } from "../../src/models/clip/index.js";
import { BpeVocab, ClipTokenizer, readDefaultMerges, writeMergesFile } from "../../src/tokenizer/index.js";
import { saveClipCheckpoint } from "../../src/models/clip/index.js";
import { colourMerges } from "../eval/tiny_models.js";
import { runCli } from "../helpers/cli.js";
import { maxAbsDiff, tinyConfigs, tinyModel } from "./onnx_fixtures.js";

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.useBrowserCache = false;

const LABELS = ["red circle", "green square", "a dog on the grass", "blue sky"];
const TEMPLATE = "a photo of a {}.";

function softmax(row: ArrayLike<number>): number[] {
  const m = Math.max(...Array.from(row));
  const e = Array.from(row, (x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

for (const name of ["laclip qk-norm", "open_clip quick_gelu"]) {
  test(`transformers.js's zero-shot pipeline on the ${name} export gives laclip's scores`, async () => {
    const merges = readDefaultMerges();
    const input = tinyConfigs(49408)[name]!;
    const config = resolveClipConfig(input);
    const model = tinyModel(input, 21);
    const root = await mkdtemp(join(tmpdir(), "laclip-tjs-"));
    const dir = join(root, "tiny-clip");
    try {
      await exportOnnx(dir, { config, state: model.hostStateDict(), merges });
      const s = config.vision.imageSize;
      const image = join(root, "test.png");
      await sharp({ create: { width: s, height: s, channels: 3, background: { r: 220, g: 40, b: 30 } } })
        .composite([{ input: { create: { width: s / 2, height: s / 4, channels: 3, background: { r: 20, g: 200, b: 90 } } }, left: 5, top: 9 }])
        .png().toFile(image);

      // laclip's own scores.
      const tok = new ClipTokenizer(merges, { contextLength: config.text.contextLength });
      const texts = LABELS.map((l) => TEMPLATE.replace("{}", l));
      const px = await preprocessBatch([{ path: image }], imageTransformFor(config));
      const own = noGrad(() => tidy(() => {
        const out = model.forward(tensor(px, { shape: [1, 3, s, s] }), fromHost(tok.encodeBatchI64(texts)));
        return softmax(out.logitsPerImage.toTypedArray() as Float32Array);
      }));

      env.localModelPath = dirname(dir);
      for (const [dtype, tol] of [["fp32", 1e-4], ["q8", 0.05]] as const) {
        const classify = await pipeline("zero-shot-image-classification", basename(dir), { dtype });
        const result = (await classify(image, LABELS, { hypothesis_template: TEMPLATE })) as Array<{ label: string; score: number }>;
        const got = LABELS.map((l) => result.find((r) => r.label === l)!.score);
        const err = maxAbsDiff(got, own);
        console.log(`${name} ${dtype}: scores ${got.map((x) => x.toFixed(4)).join(" ")}; laclip ${own.map((x) => x.toFixed(4)).join(" ")}; max |diff| ${err.toExponential(2)}`);
        assert.ok(err < tol, `${dtype}: max |diff| ${err} >= ${tol}`);
        await classify.dispose();
      }

      // The pieces on their own: the tokenizer's ids, the processor's pixels, and the projection models.
      const hfTok = await AutoTokenizer.from_pretrained(basename(dir));
      const enc = hfTok(texts, { padding: true, truncation: true });
      const hfIds = Array.from(enc.input_ids.data as BigInt64Array, Number);
      const width = enc.input_ids.dims[1]!;
      texts.forEach((t, i) => {
        const ownRow = Array.from(tok.encode(t));
        const len = ownRow.indexOf(tok.eotId) + 1;
        assert.deepEqual(hfIds.slice(i * width, i * width + len), ownRow.slice(0, len), `ids of '${t}'`);
      });
      const processor = await AutoProcessor.from_pretrained(basename(dir));
      const { pixel_values } = await processor(await RawImage.read(image));
      assert.ok(maxAbsDiff(pixel_values.data as Float32Array, px) < 1e-6, "pixel_values equal laclip's preprocessing");
      const textModel = await CLIPTextModelWithProjection.from_pretrained(basename(dir), { dtype: "fp32" });
      const visionModel = await CLIPVisionModelWithProjection.from_pretrained(basename(dir), { dtype: "fp32" });
      const { text_embeds } = await textModel(enc);
      const { image_embeds } = await visionModel({ pixel_values });
      const ownFeatures = noGrad(() => tidy(() => ({
        text: model.encodeText(fromHost(tok.encodeBatchI64(texts))).toTypedArray() as Float32Array,
        image: model.encodeImage(tensor(px, { shape: [1, 3, s, s] })).toTypedArray() as Float32Array,
      })));
      assert.ok(maxAbsDiff(text_embeds.data as Float32Array, ownFeatures.text) < 1e-4, "text_embeds");
      assert.ok(maxAbsDiff(image_embeds.data as Float32Array, ownFeatures.image) < 1e-4, "image_embeds");
      await Promise.all([textModel.dispose(), visionModel.dispose()]);
    } finally {
      model.dispose();
      await rm(root, { recursive: true, force: true });
    }
  });
}

test("laclip export --format onnx of a saved checkpoint with learned merges (as the demo's) gives laclip's scores in transformers.js", async () => {
  const root = await mkdtemp(join(tmpdir(), "laclip-tjs-"));
  const merges = colourMerges(["photo", "red", "green", "blue", "circle", "square", "sky", "dog"]);
  const vocabSize = new BpeVocab(merges).size;
  const input = tinyConfigs(vocabSize)["laclip qk-norm"]!;
  const model = tinyModel(input, 33);
  try {
    const mergesFile = join(root, "merges.txt");
    writeMergesFile(mergesFile, merges);
    await saveClipCheckpoint(model, join(root, "checkpoint"));
    const out = join(root, "exported");
    const r = await runCli(["export", "--checkpoint", join(root, "checkpoint"), "--format", "onnx", "--merges", mergesFile, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const files = (JSON.parse(r.stdout) as { files: string[] }).files.map((f) => f.slice(out.length + 1));
    assert.ok(["config.json", "tokenizer.json", "onnx/model.onnx", "onnx/text_model_quantized.onnx"].every((f) => files.includes(f)), files.join(" "));

    const s = model.config.vision.imageSize;
    const image = join(root, "blue.png");
    await sharp({ create: { width: s, height: s, channels: 3, background: { r: 20, g: 60, b: 230 } } }).png().toFile(image);
    const labels = ["red circle", "green square", "blue sky", "dog"];
    const tok = new ClipTokenizer(merges, { contextLength: model.config.text.contextLength });
    const px = await preprocessBatch([{ path: image }], imageTransformFor(model.config));
    const own = noGrad(() => tidy(() => softmax(model.forward(
      tensor(px, { shape: [1, 3, s, s] }), fromHost(tok.encodeBatchI64(labels.map((l) => TEMPLATE.replace("{}", l))))).logitsPerImage.toTypedArray() as Float32Array)));

    env.localModelPath = root;
    const classify = await pipeline("zero-shot-image-classification", "exported", { dtype: "fp32" });
    const result = (await classify(image, labels, { hypothesis_template: TEMPLATE })) as Array<{ label: string; score: number }>;
    const err = maxAbsDiff(labels.map((l) => result.find((x) => x.label === l)!.score), own);
    console.log(`cli export, learned merges (${vocabSize} tokens): max |diff| ${err.toExponential(2)}`);
    assert.ok(err < 1e-4, `max |diff| ${err}`);
    await classify.dispose();
  } finally {
    model.dispose();
    await rm(root, { recursive: true, force: true });
  }
});
