import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { fromHost, manualSeed, noGrad, tensor, tidy } from "../../src/engine/index.js";
import { readSafetensors } from "../../src/io/index.js";
import { evalTransform, preprocessBatch } from "../../src/image/index.js";
import { CLIP, clipPreset, imageTransformFor, saveClipCheckpoint } from "../../src/models/clip/index.js";
import { ClipTokenizer, builtinMergesPath } from "../../src/tokenizer/index.js";
import { runCli } from "../helpers/cli.js";
import { sharedPath } from "../helpers/shared.js";

async function makeImages(dir: string): Promise<void> {
  await mkdir(join(dir, "sub"), { recursive: true });
  const make = (w: number, h: number, c: [number, number, number]) =>
    sharp({ create: { width: w, height: h, channels: 3, background: { r: c[0], g: c[1], b: c[2] } } })
      .composite([{ input: { create: { width: Math.ceil(w / 3), height: Math.ceil(h / 2), channels: 3, background: { r: 255 - c[0], g: c[2], b: c[1] } } }, left: 1, top: 2 }]);
  await make(50, 37, [200, 30, 60]).png().toFile(join(dir, "b.png"));
  await make(41, 64, [10, 120, 240]).jpeg().toFile(join(dir, "sub", "a.jpg"));
  await make(33, 33, [90, 220, 20]).webp({ lossless: true }).toFile(join(dir, "c.webp"));
  await writeFile(join(dir, "readme.txt"), "not an image");
}

/** Normalised image embeddings computed in-process, for comparison with the file. */
async function expectedImages(model: CLIP, dir: string, files: string[], normalize: "imagenet" | "openai") {
  const spec = evalTransform({ size: model.config.vision.imageSize, normalize });
  const px = await preprocessBatch(files.map((f) => ({ path: join(dir, f) })), spec);
  const s = model.config.vision.imageSize;
  return noGrad(() => tidy(() => model.encodeImage(tensor(px, { shape: [files.length, 3, s, s] })).normalize({ dim: -1 }).toTypedArray() as Float32Array));
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

test("embed writes the documented file for images and texts, equal to encodeImage/encodeText", async (t) => {
  const bpe = sharedPath(t, "reference", "bpe_simple_vocab_16e6.txt.gz");
  if (bpe === undefined) return;
  const dir = await mkdtemp(join(tmpdir(), "laclip-embed-"));
  try {
    manualSeed(11);
    const model = new CLIP(clipPreset("laclip-tiny"));
    await saveClipCheckpoint(model, join(dir, "ckpt"));
    await makeImages(join(dir, "images"));
    const lines = ["a photo of a dog", "", "flag waving in the wind ."];
    await writeFile(join(dir, "texts.txt"), lines.join("\n") + "\n");
    const out = join(dir, "emb.safetensors");
    const r = await runCli(["embed", "--checkpoint", join(dir, "ckpt"), "--images", join(dir, "images"), "--texts", join(dir, "texts.txt"), "--out", out, "--batch", "2", "--merges", bpe]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).skippedFiles, 1);
    const { tensors, metadata } = await readSafetensors(out);
    const files = JSON.parse(metadata!["images"]!) as string[];
    assert.deepEqual(files, ["b.png", "c.webp", join("sub", "a.jpg")]);
    assert.deepEqual(JSON.parse(metadata!["texts"]!), lines);
    assert.equal(metadata!["layout"], "laclip");
    assert.equal(metadata!["normalised"], "l2");
    const img = tensors.get("image_embeds")!;
    const txt = tensors.get("text_embeds")!;
    assert.deepEqual([img.dtype, img.shape, txt.dtype, txt.shape], ["f32", [3, 32], "f32", [3, 32]]);
    const gotImg = new Float32Array(img.data.slice().buffer);
    assert.ok(maxDiff(gotImg, await expectedImages(model, join(dir, "images"), files, "imagenet")) < 1e-5);
    const tok = ClipTokenizer.fromFile(bpe);
    const wantTxt = noGrad(() => tidy(() => model.encodeText(fromHost(tok.encodeBatchI64(lines, 16))).normalize({ dim: -1 }).toTypedArray() as Float32Array));
    assert.ok(maxDiff(new Float32Array(txt.data.slice().buffer), wantTxt) < 1e-5);
    tidy(() => {
      const norms = fromHost(img).norm(2, -1).toArray() as number[];
      for (const n of norms) assert.ok(Math.abs(n - 1) < 1e-5);
    });
    model.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("embed uses the open_clip layout's own mean/std; texts use the shipped CLIP vocabulary unless --merges names another", async () => {
  const dir = await mkdtemp(join(tmpdir(), "laclip-embed-"));
  try {
    manualSeed(12);
    const model = new CLIP(clipPreset("open_clip-tiny"));
    assert.equal(imageTransformFor(model.config).normalize, "openai");
    await saveClipCheckpoint(model, join(dir, "ckpt"));
    await makeImages(join(dir, "images"));
    const out = join(dir, "emb.safetensors");
    const r = await runCli(["embed", "--checkpoint", join(dir, "ckpt"), "--images", join(dir, "images"), "--out", out], { env: { ...process.env, LACLIP_BPE: "" } });
    assert.equal(r.code, 0, r.stderr);
    const { tensors, metadata } = await readSafetensors(out);
    assert.equal(tensors.has("text_embeds"), false);
    const files = JSON.parse(metadata!["images"]!) as string[];
    const got = new Float32Array(tensors.get("image_embeds")!.data.slice().buffer);
    assert.ok(maxDiff(got, await expectedImages(model, join(dir, "images"), files, "openai")) < 1e-5);
    assert.ok(maxDiff(got, await expectedImages(model, join(dir, "images"), files, "imagenet")) > 1e-4, "the normalisation must matter");
    const texts = ["a photo of a dog", "two red apples"];
    await writeFile(join(dir, "texts.txt"), `${texts.join("\n")}\n`);
    const noMerges = await runCli(["embed", "--checkpoint", join(dir, "ckpt"), "--texts", join(dir, "texts.txt"), "--out", out], { env: { ...process.env, LACLIP_BPE: "" } });
    assert.equal(noMerges.code, 0, noMerges.stderr);
    const tok = ClipTokenizer.fromFile(builtinMergesPath(), { contextLength: model.config.text.contextLength });
    assert.deepEqual(Array.from(tok.encode("a photo of a dog")).slice(0, 7), [49406, 320, 1125, 539, 320, 1929, 49407]);
    const want = noGrad(() => tidy(() => model.encodeText(fromHost(tok.encodeBatchI64(texts))).normalize({ dim: -1 }).toTypedArray() as Float32Array));
    const gotTexts = new Float32Array((await readSafetensors(out)).tensors.get("text_embeds")!.data.slice().buffer);
    assert.ok(maxDiff(gotTexts, want) < 1e-5);
    const badMerges = await runCli(["embed", "--checkpoint", join(dir, "ckpt"), "--texts", join(dir, "texts.txt"), "--out", out, "--merges", join(dir, "none.txt")]);
    assert.equal(badMerges.code, 1);
    assert.match(badMerges.stderr, /none\.txt: cannot read the BPE merges file/);
    model.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("embed reads a released-style torch.save checkpoint, with the heads it cannot infer given", async (t) => {
  const ckpt = sharedPath(t, "reference", "parity", "open_clip", "checkpoint.pt");
  if (ckpt === undefined) return;
  const dir = await mkdtemp(join(tmpdir(), "laclip-embed-"));
  try {
    await makeImages(join(dir, "images"));
    const out = join(dir, "emb.safetensors");
    const refused = await runCli(["embed", "--checkpoint", ckpt, "--images", join(dir, "images"), "--out", out]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--vision-heads/);
    const r = await runCli(["embed", "--checkpoint", ckpt, "--images", join(dir, "images"), "--out", out, "--vision-heads", "4", "--text-heads", "4"]);
    assert.equal(r.code, 0, r.stderr);
    const { tensors, metadata } = await readSafetensors(out);
    assert.equal(metadata!["layout"], "open_clip");
    const { loadClipCheckpoint } = await import("../../src/models/clip/index.js");
    const { model } = await loadClipCheckpoint(ckpt, { overrides: { vision: { heads: 4 }, text: { heads: 4 } } });
    const files = JSON.parse(metadata!["images"]!) as string[];
    const got = new Float32Array(tensors.get("image_embeds")!.data.slice().buffer);
    assert.ok(maxDiff(got, await expectedImages(model, join(dir, "images"), files, "openai")) < 1e-5);
    model.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
