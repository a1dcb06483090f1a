import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { builtinMergesPath, chooseMerges, readDefaultMerges, OPENAI_CLIP_MERGES } from "../../src/tokenizer/index.js";

test("the merges file: --merges, else LACLIP_BPE, else the shipped OpenAI vocabulary", (t) => {
  const saved = process.env.LACLIP_BPE;
  t.after(() => {
    if (saved === undefined) delete process.env.LACLIP_BPE;
    else process.env.LACLIP_BPE = saved;
  });
  delete process.env.LACLIP_BPE;
  assert.deepEqual(chooseMerges(), { path: builtinMergesPath(), source: "builtin" });
  process.env.LACLIP_BPE = "";
  assert.equal(chooseMerges().source, "builtin");
  process.env.LACLIP_BPE = "/env/merges.txt";
  assert.deepEqual(chooseMerges(), { path: "/env/merges.txt", source: "env" });
  assert.deepEqual(chooseMerges("/opt/m.txt"), { path: "/opt/m.txt", source: "option" });
  assert.ok(existsSync(builtinMergesPath()));
  assert.ok(existsSync(builtinMergesPath().replace(/bpe_simple_vocab_16e6\.txt\.gz$/, "README.md")), "source and licence beside the file");
  delete process.env.LACLIP_BPE;
  assert.equal(readDefaultMerges().merges.length, OPENAI_CLIP_MERGES);
});
