/** `laclip export` through the real CLI: formats, one-line refusals, and a learned tokenizer travelling along. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manualSeed } from "../../src/engine/index.js";
import { CLIP, clipPreset, loadClipCheckpoint, saveClipCheckpoint } from "../../src/models/clip/index.js";
import { writeMergesFile } from "../../src/tokenizer/index.js";
import { colourMerges } from "../eval/tiny_models.js";
import { runCli } from "../helpers/cli.js";

test("laclip export: unknown formats and what a format cannot hold are one-line errors; a learned tokenizer is written beside open_clip weights", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "laclip-export-cli-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  manualSeed(8);
  const model = new CLIP(clipPreset("laclip-tiny"));
  await saveClipCheckpoint(model, join(dir, "ckpt"));
  model.dispose();
  const ckpt = join(dir, "ckpt");

  const unknown = await runCli(["export", "--checkpoint", ckpt, "--format", "tflite", "--out", join(dir, "x")]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^laclip export: unknown export format 'tflite'; known: open_clip, hf/);

  const hf = await runCli(["export", "--checkpoint", ckpt, "--format", "hf", "--out", join(dir, "hf")]);
  assert.equal(hf.code, 1);
  assert.equal(hf.stderr.trim().split("\n").length, 1, hf.stderr);
  assert.match(hf.stderr, /transformers' CLIPModel cannot represent this model: qk-norm/);
  assert.equal(existsSync(join(dir, "hf")), false, "a refused export leaves no folder");

  // A training checkpoint records its merges file in trainer.json; export uses it without --merges.
  const merges = join(dir, "merges.txt");
  writeMergesFile(merges, colourMerges());
  await writeFile(join(ckpt, "trainer.json"), JSON.stringify({ tokenizer: { merges, contextLength: 16 } }));
  const out = join(dir, "oc");
  const r = await runCli(["export", "--checkpoint", ckpt, "--format", "open_clip", "--out", out], { env: { ...process.env, LACLIP_BPE: "" } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /not OpenAI's CLIP vocabulary/);
  assert.match(r.stderr, /tokenizer: .*merges\.txt \(recorded in the checkpoint's trainer\.json\)/);
  const cfg = JSON.parse(await readFile(join(out, "open_clip_config.json"), "utf8")) as { model_cfg: { text_cfg: Record<string, unknown> } };
  assert.equal(cfg.model_cfg.text_cfg["hf_tokenizer_name"], ".");
  for (const f of ["tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json"]) assert.ok(existsSync(join(out, f)), f);
  const back = await loadClipCheckpoint(join(out, "open_clip_model.safetensors"));
  assert.equal(back.config.layout, "laclip");
  back.model.dispose();
  assert.deepEqual(JSON.parse(r.stdout).files.map((f: string) => f.slice(out.length + 1)).slice(0, 2), ["open_clip_model.safetensors", "open_clip_config.json"]);
});
