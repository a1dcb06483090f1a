/**
 * `laclip serve`'s page in headless Chromium: it loads an onnx export from the local server, a user picks an
 * image, and the probabilities it shows are laclip's own (same labels, same prompt) — the same top label, and
 * scores within 1e-4 (the image is at the model's size, so the browser resizes nothing). Every request the
 * page makes goes to the local server. The test saves a screenshot (.work/screenshots/serve.png, or
 * $LACLIP_SCREENSHOT). A larger picture, shrunk by the browser, still gets laclip's top label (scores within
 * 0.05); the int8 weights, picked in the page, stay within 0.05 of the float32 scores.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { fromHost, noGrad, tensor, tidy } from "../../src/engine/index.js";
import { exportOnnx } from "../../src/export/onnx/index.js";
import { preprocessBatch } from "../../src/image/index.js";
import { imageTransformFor, resolveClipConfig } from "../../src/models/clip/index.js";
import { startServe } from "../../src/serve/server.js";
import { ClipTokenizer, readDefaultMerges } from "../../src/tokenizer/index.js";
import { projectRoot } from "../../src/util/project_root.js";
import { maxAbsDiff, tinyConfigs, tinyModel } from "../export/onnx_fixtures.js";
import { chromiumPath, HeadlessPage } from "../helpers/chromium.js";

/** The bars the page shows, top first: each label and its probability. */
function shownResults(page: HeadlessPage): Promise<Array<{ label: string; score: number }>> {
  return page.evaluate("[...document.querySelectorAll('#results li')].map((li) => ({ label: li.dataset.label, score: Number(li.dataset.score) }))");
}

const LABELS = ["a red circle", "a green square", "a dog on the grass", "the blue sky", "a bowl of soup"];
const TEMPLATE = "a photo of {}.";

test("the serve page classifies a picked image as laclip does, fetching nothing beyond the local server", async (t) => {
  const bin = chromiumPath(t);
  if (bin === undefined) return;
  const merges = readDefaultMerges();
  const input = tinyConfigs(49408)["laclip qk-norm"]!;
  const config = resolveClipConfig(input);
  const model = tinyModel(input, 5);
  const root = await mkdtemp(join(tmpdir(), "laclip-serve-"));
  const dir = join(root, "export");
  let page: HeadlessPage | undefined;
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  try {
    await exportOnnx(dir, { config, state: model.hostStateDict(), merges });
    const s = config.vision.imageSize;
    const image = join(root, "picked.png");
    await sharp({ create: { width: s, height: s, channels: 3, background: { r: 30, g: 90, b: 220 } } })
      .composite([{ input: { create: { width: 12, height: 20, channels: 3, background: { r: 240, g: 200, b: 40 } } }, left: 14, top: 6 }])
      .png().toFile(image);

    const tok = new ClipTokenizer(merges, { contextLength: config.text.contextLength });
    /** laclip's probabilities for an image file (its own preprocessing) and the labels. */
    const ownScores = async (file: string) => {
      const px = await preprocessBatch([{ path: file }], imageTransformFor(config));
      return noGrad(() => tidy(() => {
        const texts = LABELS.map((l) => TEMPLATE.replace("{}", l));
        const logits = model.forward(tensor(px, { shape: [1, 3, s, s] }), fromHost(tok.encodeBatchI64(texts))).logitsPerImage;
        return Array.from(logits.softmax(-1).toTypedArray() as Float32Array);
      }));
    };
    const own = await ownScores(image);
    const ownTop = LABELS[own.indexOf(Math.max(...own))]!;

    server = await startServe(dir, { port: 0 });
    page = await HeadlessPage.open(bin);
    await page.navigate(server.url);
    await page.waitFor("['ready', 'error'].includes(document.body.dataset.state)", 60_000);
    assert.equal(await page.evaluate("document.body.dataset.state"), "ready", await page.evaluate<string>("document.getElementById('status').textContent"));
    await page.evaluate(`document.getElementById('labels').value = ${JSON.stringify(LABELS.join("\n"))}; document.getElementById('template').value = ${JSON.stringify(TEMPLATE)}; true`);
    await page.setFiles("#file", [image]);
    await page.waitFor("['done', 'error'].includes(document.body.dataset.state)", 60_000);
    const status = await page.evaluate<string>("document.getElementById('status').textContent");
    assert.equal(await page.evaluate("document.body.dataset.state"), "done", status);

    const shown = await shownResults(page);
    assert.equal(shown.length, LABELS.length);
    assert.equal(shown[0]!.label, ownTop, "the top label the page shows is laclip's");
    const scores = LABELS.map((l) => shown.find((r) => r.label === l)!.score);
    const err = maxAbsDiff(scores, own);
    console.log(`page: top '${shown[0]!.label}' ${shown[0]!.score.toFixed(4)}; laclip: '${ownTop}' ${Math.max(...own).toFixed(4)}; max |diff| ${err.toExponential(2)}; ${status}`);
    assert.ok(err < 1e-4, `scores differ by ${err}`);

    const shot = process.env.LACLIP_SCREENSHOT ?? join(projectRoot(), ".work", "screenshots", "serve.png");
    await mkdir(dirname(shot), { recursive: true });
    await writeFile(shot, await page.screenshot());
    console.log(`screenshot: ${shot}`);

    // A larger picture, which the page shrinks with the browser's resampling (not laclip's antialiased bicubic):
    // the same top label, scores within 0.05 (measured 0.028 here: hard edges, and a logit scale of 30).
    const big = join(root, "big.png");
    await sharp({ create: { width: 96, height: 72, channels: 3, background: { r: 30, g: 90, b: 220 } } })
      .composite([{ input: { create: { width: 30, height: 48, channels: 3, background: { r: 240, g: 200, b: 40 } } }, left: 50, top: 12 }])
      .png().toFile(big);
    const bigOwn = await ownScores(big);
    await page.evaluate("document.body.dataset.state = 'picking'");
    await page.setFiles("#file", [big]);
    await page.waitFor("['done', 'error'].includes(document.body.dataset.state)", 60_000);
    const bigShown = await shownResults(page);
    const bigErr = maxAbsDiff(LABELS.map((l) => bigShown.find((r) => r.label === l)!.score), bigOwn);
    console.log(`page, 96x72 picture: top '${bigShown[0]!.label}'; laclip '${LABELS[bigOwn.indexOf(Math.max(...bigOwn))]}'; max |diff| ${bigErr.toExponential(2)}`);
    assert.equal(bigShown[0]!.label, LABELS[bigOwn.indexOf(Math.max(...bigOwn))]);
    assert.ok(bigErr < 0.05, `resized picture: scores differ by ${bigErr}`);

    // The int8 weights (onnx/model_quantized.onnx), chosen in the page: within 0.05 of the float32 scores it showed.
    await page.evaluate("const p = document.getElementById('precision'); p.value = '_quantized'; p.dispatchEvent(new Event('change')); true");
    await page.waitFor("document.body.dataset.state === 'done' && [...document.querySelectorAll('#results li')].length > 0 && performance.getEntriesByType('resource').some((e) => e.name.endsWith('model_quantized.onnx'))", 60_000);
    const q8 = await shownResults(page);
    const q8Err = maxAbsDiff(LABELS.map((l) => q8.find((r) => r.label === l)!.score), LABELS.map((l) => bigShown.find((r) => r.label === l)!.score));
    console.log(`page int8: max |diff| ${q8Err.toExponential(2)}`);
    assert.ok(q8Err < 0.05, `int8 scores differ by ${q8Err}`);

    const foreign = page.requests.filter((u) => !u.startsWith(server!.url) && !u.startsWith("data:") && !u.startsWith("blob:"));
    assert.deepEqual(foreign, [], "requests beyond the local server");
    assert.ok(page.requests.some((u) => u.endsWith("/model/onnx/model.onnx")) && page.requests.some((u) => u.endsWith(".wasm")));
  } finally {
    await page?.close();
    await server?.close();
    model.dispose();
    await rm(root, { recursive: true, force: true });
  }
});

test("the serve server refuses what is not an onnx export, and paths outside its folders", async () => {
  const root = await mkdtemp(join(tmpdir(), "laclip-serve-"));
  try {
    await assert.rejects(startServe(root, { port: 0 }), /is not an onnx export: config\.json is missing; make one with laclip export --format onnx/);
    for (const f of ["config.json", "merges.txt", "preprocessor_config.json", "tokenizer_config.json", "onnx/model.onnx", "secret.bin"]) {
      await mkdir(dirname(join(root, f)), { recursive: true });
      await writeFile(join(root, f), "x");
    }
    const s = await startServe(root, { port: 0 });
    try {
      assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const get = async (p: string) => (await fetch(new URL(p, s.url))).status;
      assert.equal(await get("/"), 200);
      assert.equal(await get("/model/config.json"), 200);
      assert.equal(await get("/ort/ort.wasm.min.mjs"), 200);
      assert.equal(await get("/lib/laclip/tokenizer/clip_tokenizer.js"), 200);
      assert.equal(await get("/model/secret.bin"), 404, "only the export's json, txt and onnx files");
      assert.equal(await get("/model/%2e%2e/%2e%2e/etc/passwd"), 404);
      assert.equal(await get("/model/..%2Fsecret.bin"), 404);
      assert.equal(await get("/lib/laclip/engine/native.js"), 404, "only the tokenizer's modules of laclip");
      assert.equal((await fetch(new URL("/model/config.json", s.url), { method: "POST" })).status, 405);
    } finally {
      await s.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
