/**
 * The exported graphs run by onnxruntime-web (wasm, in Node) give laclip's own features and logits, for every
 * architecture laclip trains, in float32 (within 1e-4) and int8 (the `_quantized` files; see the tolerance below).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-web";
import { writeClipOnnx } from "../../src/export/onnx/write.js";
import { liveTensors } from "../../src/engine/index.js";
import { resolveClipConfig } from "../../src/models/clip/index.js";
import { ids64, maxAbsDiff, ownOutputs, pixels, tinyConfigs, tinyModel } from "./onnx_fixtures.js";

ort.env.wasm.numThreads = 1;

const VOCAB = 300;
// SOT = VOCAB - 2 and EOT = VOCAB - 1 (the largest id, where CLIP pools); rows of different lengths, zero padded.
const ROWS = [
  [VOCAB - 2, 5, 17, 250, VOCAB - 1, 0, 0, 0, 0],
  [VOCAB - 2, 3, VOCAB - 1, 0, 0, 0, 0, 0, 0],
  [VOCAB - 2, 9, 8, 7, 6, 5, 4, 3, VOCAB - 1],
];
const N_IMAGES = 2;

async function session(dir: string, file: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(await readFile(join(dir, file)));
}

function int64(rows: number[][]): ort.Tensor {
  return new ort.Tensor("int64", BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);
}

const norms = (x: Float32Array, d: number) => {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[r * d + j]! ** 2;
    for (let j = 0; j < d; j++) out[r * d + j] = x[r * d + j]! / Math.sqrt(s);
  }
  return out;
};

for (const [name, input] of Object.entries(tinyConfigs(VOCAB))) {
  test(`onnxruntime-web runs the ${name} export as laclip computes it`, async () => {
    const dir = await mkdtemp(join(tmpdir(), "laclip-onnx-"));
    const live = liveTensors();
    const model = tinyModel(input, 7);
    try {
      const config = resolveClipConfig(input);
      const files = await writeClipOnnx(dir, config, model.hostStateDict());
      assert.deepEqual(files.map((f) => f.path), [
        "onnx/model.onnx", "onnx/text_model.onnx", "onnx/vision_model.onnx",
        "onnx/model_quantized.onnx", "onnx/text_model_quantized.onnx", "onnx/vision_model_quantized.onnx",
      ]);
      for (let i = 0; i < 3; i++) assert.ok(files[i + 3]!.bytes < 0.5 * files[i]!.bytes, `${files[i + 3]!.path} holds int8 weights`);
      const s = config.vision.imageSize;
      const px = pixels(N_IMAGES, s);
      const own = ownOutputs(model, px, N_IMAGES, ids64(ROWS));
      const feeds = {
        input_ids: int64(ROWS),
        attention_mask: int64(ROWS.map((r) => r.map((v, j) => (j === 0 || v !== 0 ? 1 : 0)))),
        pixel_values: new ort.Tensor("float32", px, [N_IMAGES, 3, s, s]),
      };
      const d = config.embedDim;

      for (const [suffix, tol] of [["", 1e-4], ["_quantized", 0.05]] as const) {
        const text = await session(dir, `onnx/text_model${suffix}.onnx`);
        assert.deepEqual([text.inputNames, text.outputNames], [["input_ids", "attention_mask"], ["text_embeds"]]);
        const t = await text.run({ input_ids: feeds.input_ids, attention_mask: feeds.attention_mask });
        assert.deepEqual(t.text_embeds!.dims, [ROWS.length, d]);

        const vision = await session(dir, `onnx/vision_model${suffix}.onnx`);
        assert.deepEqual([vision.inputNames, vision.outputNames], [["pixel_values"], ["image_embeds"]]);
        const v = await vision.run({ pixel_values: feeds.pixel_values });

        const full = await session(dir, `onnx/model${suffix}.onnx`);
        assert.deepEqual([full.inputNames, full.outputNames], [
          ["input_ids", "pixel_values", "attention_mask"], ["logits_per_image", "logits_per_text", "text_embeds", "image_embeds"],
        ]);
        const m = await full.run(feeds);
        assert.deepEqual(m.logits_per_image!.dims, [N_IMAGES, ROWS.length]);
        assert.deepEqual(m.logits_per_text!.dims, [ROWS.length, N_IMAGES]);

        const textErr = maxAbsDiff(norms(t.text_embeds!.data as Float32Array, d), norms(own.textEmbeds, d));
        const imageErr = maxAbsDiff(norms(v.image_embeds!.data as Float32Array, d), norms(own.imageEmbeds, d));
        // Logits are 30 x cosine: the tolerance scales with them.
        const logitErr = maxAbsDiff(m.logits_per_image!.data as Float32Array, own.logitsPerImage) / 30;
        console.log(`${name}${suffix}: max |diff| text ${textErr.toExponential(2)}, image ${imageErr.toExponential(2)}, logits/30 ${logitErr.toExponential(2)}`);
        assert.ok(textErr < tol && imageErr < tol && logitErr < tol, `${name}${suffix}: differences above ${tol}`);
        if (suffix === "") {
          // The raw (unnormalised) features too: CLIPTextModelWithProjection / CLIPVisionModelWithProjection's outputs.
          assert.ok(maxAbsDiff(t.text_embeds!.data as Float32Array, own.textEmbeds) < 1e-4);
          assert.ok(maxAbsDiff(v.image_embeds!.data as Float32Array, own.imageEmbeds) < 1e-4);
          assert.ok(maxAbsDiff(m.text_embeds!.data as Float32Array, norms(own.textEmbeds, d)) < 1e-4);
        }
        await Promise.all([text.release(), vision.release(), full.release()]);
      }
    } finally {
      model.dispose();
      await rm(dir, { recursive: true, force: true });
    }
    assert.equal(liveTensors(), live, "the export and the comparison leave no tensor behind");
  });
}
