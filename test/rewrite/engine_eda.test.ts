import assert from "node:assert/strict";
import { test } from "node:test";
import { applyOperation, edaRewrite } from "../../src/rewrite/engines/eda.js";
import { createEdaEngine } from "../../src/rewrite/engines/eda_engine.js";
import { WordNet } from "../../src/rewrite/engines/wordnet.js";
import { Rng } from "../../src/util/rng.js";

const wn = new WordNet();
const CAPTION = "A happy dog running quickly across the green field .";

test("wordnet synonyms: senses in order, inflections reduced, unknown words empty", () => {
  assert.ok(wn.synonyms("dog").includes("domestic dog"));
  assert.deepEqual(wn.synonyms("dogs"), wn.synonyms("dog"));
  assert.ok(wn.synonyms("quickly").includes("rapidly"));
  assert.deepEqual(wn.synonyms("qwzxv"), []);
  assert.ok(!wn.synonyms("car").includes("car"));
});

test("eda is deterministic for a seed and varies across seeds", () => {
  assert.equal(edaRewrite(CAPTION, 42, wn), edaRewrite(CAPTION, 42, wn));
  const outs = new Set(Array.from({ length: 20 }, (_, s) => edaRewrite(CAPTION, s, wn)));
  assert.ok(outs.size >= 10, `only ${outs.size} distinct rewrites`);
});

test("each operation does what it says", () => {
  const words = CAPTION.split(" ");
  const syn = applyOperation("synonym", words, 2, new Rng(1), wn);
  assert.equal(syn.length, words.length);
  assert.ok(syn.some((w, i) => w !== words[i]), "a word was replaced");
  const ins = applyOperation("insert", words, 2, new Rng(1), wn);
  assert.equal(ins.length, words.length + 2);
  const sw = applyOperation("swap", words, 1, new Rng(1), wn);
  assert.deepEqual([...sw].sort(), [...words].sort());
  const del = applyOperation("delete", words, 1, new Rng(1), wn);
  assert.ok(del.length < words.length && del.length >= 1);
});

test("the engine returns one rewrite per seed and ignores the prompt", async () => {
  const eng = createEdaEngine({}, wn);
  const res = await eng.complete({ prompt: "ignored", caption: CAPTION, seeds: [1, 2, 3] });
  assert.deepEqual(res.texts, [1, 2, 3].map((s) => edaRewrite(CAPTION, s, wn)));
  assert.equal(res.tokens, 0);
  assert.equal(eng.stats().requests, 1);
});
