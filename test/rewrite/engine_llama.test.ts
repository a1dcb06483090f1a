import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createLlamaEngine, type LlamaEngine } from "../../src/rewrite/engines/llama/engine.js";
import { createRewriter } from "../../src/rewrite/rewriter.js";
import { writeTinyLlamaGguf } from "../helpers/gguf.js";

// LACLIP_TEST_GGUF points at a real model instead of the generated random one
let modelPath = process.env.LACLIP_TEST_GGUF ?? "";
let dir = "";
let engine: LlamaEngine | undefined;
let unavailable = "";

before(async () => {
  if (!modelPath) {
    dir = mkdtempSync(join(tmpdir(), "laclip-gguf-"));
    modelPath = writeTinyLlamaGguf(join(dir, "tiny.gguf"));
  }
  try {
    engine = await createLlamaEngine({ modelPath, sequences: 4, threads: 1, contextSize: 256, maxTokens: 12 });
  } catch (err) {
    if (!/cannot load/.test((err as Error).message)) throw err;
    unavailable = (err as Error).message;
  }
});

after(async () => {
  await engine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const prompt = (caption: string) => `write image captions differently,\n\n            a dog => a small dog\n\n            ${caption} =>`;

test("the generated GGUF is a small llama model", (t) => {
  if (process.env.LACLIP_TEST_GGUF) return t.skip("LACLIP_TEST_GGUF given: no model generated");
  const size = statSync(modelPath).size;
  assert.ok(size > 300_000 && size < 700_000, `size ${size}`);
});

test("four concurrent completions are decoded on four sequences of one context", async (t) => {
  if (unavailable) return t.skip(`node-llama-cpp cannot load here: ${unavailable}`);
  const res = await Promise.all([1, 2, 3, 4].map((s) => engine!.complete({ prompt: prompt(`a cat number ${s}`), caption: "", seeds: [s] })));
  for (const r of res) {
    assert.equal(r.texts.length, 1);
    assert.equal(typeof r.texts[0], "string");
    assert.ok(!r.texts[0]!.includes("\n"), "stops at a newline");
    // the sequence's meter also counts a sampled stop token (newline), which the text leaves out
    assert.ok(r.tokens >= 1 && r.tokens <= 13, `tokens ${r.tokens}`);
  }
  const st = engine!.stats();
  assert.equal(st.maxActive, 4, "all four sequences were busy at once");
  assert.equal(st.completions, 4);
});

test("the same prompt and seed give the same completion; another seed usually differs", async (t) => {
  if (unavailable) return t.skip(`node-llama-cpp cannot load here: ${unavailable}`);
  const req = (seed: number) => ({ prompt: prompt("a red bus"), caption: "", seeds: [seed] });
  const a = await engine!.complete(req(9));
  const b = await engine!.complete(req(9));
  assert.equal(a.texts[0], b.texts[0]);
  const others = await Promise.all([10, 11, 12].map((s) => engine!.complete(req(s))));
  assert.ok(others.some((o) => o.texts[0] !== a.texts[0]));
});

test("an over-long prompt is cut by tokens, keeps its answer marker, and still completes", async (t) => {
  if (unavailable) return t.skip(`node-llama-cpp cannot load here: ${unavailable}`);
  const before = engine!.stats().truncatedPrompts;
  const r = await engine!.complete({ prompt: prompt("word ".repeat(400)), caption: "", seeds: [1, 2] });
  assert.equal(r.texts.length, 2);
  assert.equal(engine!.stats().truncatedPrompts, before + 1);
});

test("the rewriter on the llama engine fills every slot (a random model's rewrites mostly fall back)", async (t) => {
  if (unavailable) return t.skip(`node-llama-cpp cannot load here: ${unavailable}`);
  const r = await createRewriter({ engine: "llama", modelPath, batchSize: 4, threads: 1, contextSize: 1024, maxTokens: 8, perSource: 1, seed: 3, maxAttempts: 2, sources: ["concise", "scene"] });
  const out = await r.rewrite({ index: 0, id: "0", caption: "a dog on the street" });
  assert.equal(out.rewrites.concise!.length, 1);
  assert.equal(out.rewrites.scene!.length, 1);
  const st = r.stats();
  assert.equal(st.accepted + st.fallbacks, 2);
  const rejected = Object.values(out.rejects).reduce((s, n) => s + (n ?? 0), 0);
  assert.equal(rejected + st.accepted, st.engine.completions, "every completion is either accepted or rejected with a reason");
  assert.ok(out.tokens > 0);
  await r.close();
});
