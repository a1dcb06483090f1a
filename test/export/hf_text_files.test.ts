import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { HF_TEXT_FILES, writeHfTextFiles } from "../../src/export/hf/text_files.js";
import { hfUnsupported } from "../../src/export/hf/config_json.js";
import { clipPreset } from "../../src/models/clip/index.js";
import { ClipTokenizer, readDefaultMerges, readMergesFile } from "../../src/tokenizer/index.js";
import { colourMerges } from "../eval/tiny_models.js";

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-hftext-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const readJson = async (p: string): Promise<Record<string, any>> => JSON.parse(await readFile(p, "utf8")) as Record<string, any>;

test("the hf text files of a learned tokenizer: ids, merges and special tokens agree with laclip's tokenizer", async () => {
  await withTemp(async (dir) => {
    const merges = colourMerges();
    const config = clipPreset("open_clip-tiny");
    const written = await writeHfTextFiles(dir, config, merges);
    assert.deepEqual(written.map((p) => basename(p)), [...HF_TEXT_FILES]);
    const tok = new ClipTokenizer(merges);
    const vocab = await readJson(join(dir, "vocab.json"));
    assert.equal(Object.keys(vocab).length, tok.vocabSize);
    for (let id = 0; id < tok.vocabSize; id++) assert.equal(vocab[tok.idToToken(id)!], id, `token ${id}`);
    // merges.txt reads back as the same merge list (all of it: its header is not OpenAI's).
    assert.deepEqual(readMergesFile(join(dir, "merges.txt")).merges, merges.merges);
    const tj = await readJson(join(dir, "tokenizer.json"));
    assert.deepEqual(tj.model.vocab, vocab);
    assert.equal(tj.model.merges.length, merges.merges.length);
    assert.equal(tj.model.end_of_word_suffix, "</w>");
    assert.deepEqual(tj.added_tokens.map((t: { id: number; content: string }) => [t.id, t.content]), [
      [tok.sotId, "<|startoftext|>"], [tok.eotId, "<|endoftext|>"],
    ]);
    assert.deepEqual(tj.post_processor.cls, ["<|startoftext|>", tok.sotId]);
    assert.deepEqual(tj.post_processor.sep, ["<|endoftext|>", tok.eotId]);
    const cfg = await readJson(join(dir, "config.json"));
    assert.equal(cfg.model_type, "clip");
    assert.equal(cfg.projection_dim, 32);
    assert.equal(cfg.text_config.eos_token_id, tok.eotId);
    assert.equal(cfg.text_config.max_position_embeddings, 16);
    assert.equal(cfg.text_config.num_attention_heads, 4);
    assert.equal(cfg.vision_config.patch_size, 8);
    assert.equal(cfg.vision_config.hidden_act, "gelu");
    assert.deepEqual(cfg.laclip_config, config);
    const tc = await readJson(join(dir, "tokenizer_config.json"));
    assert.equal(tc.model_max_length, 16);
    const pre = await readJson(join(dir, "preprocessor_config.json"));
    assert.deepEqual(pre.crop_size, { height: 32, width: 32 });
    assert.deepEqual(pre.image_mean, [0.48145466, 0.4578275, 0.40821073]);
  });
});

test("with the shipped OpenAI vocabulary the files hold CLIP's 49408 tokens and its 48894 merges", async () => {
  await withTemp(async (dir) => {
    const merges = readDefaultMerges();
    await writeHfTextFiles(dir, clipPreset("ViT-B-16"), merges);
    const vocab = await readJson(join(dir, "vocab.json"));
    assert.equal(Object.keys(vocab).length, 49408);
    assert.equal(vocab["<|endoftext|>"], 49407);
    assert.equal(vocab["dog</w>"], 1929);
    const lines = (await readFile(join(dir, "merges.txt"), "utf8")).split("\n");
    assert.equal(lines[0], "#version: 0.2");
    assert.equal(lines.length - 2, 48894);
  });
});

test("what transformers cannot represent is named", () => {
  assert.deepEqual(hfUnsupported(clipPreset("ViT-B-16")), []);
  const laclip = hfUnsupported(clipPreset("laclip-vit-b16"));
  assert.equal(laclip.length, 2);
  assert.match(laclip[0]!, /qk-norm/);
  assert.match(laclip[1]!, /ln_pre/);
});
