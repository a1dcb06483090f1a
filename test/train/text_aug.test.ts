import { test } from "node:test";
import assert from "node:assert/strict";
import { multiTexts, pickText, selectTexts, tooShort } from "../../src/train/text_aug.js";

const sample = (index: number, texts: string[], sources?: string[]) => ({ index, texts, sources });
const K4 = (i: number) => sample(i, ["orig text", "rw one", "rw two", "rw three", "rw four"], ["original", "chatgpt", "bard", "human", "coco"]);

test("clip always gives the original", () => {
  for (let i = 0; i < 50; i++) assert.equal(pickText(K4(i), 3, { mode: "clip", seed: 1 }), "orig text");
});

test("laclip draws uniformly over original + rewrites (chi-square style tolerance)", () => {
  const counts = new Map<string, number>();
  const N = 25000;
  for (let i = 0; i < N; i++) {
    const t = pickText(K4(i), 0, { mode: "laclip", seed: 7 });
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  assert.equal(counts.size, 5);
  // each share is 1/5; 4 standard deviations of a binomial(25000, 0.2) is about 253
  for (const [t, c] of counts) assert.ok(Math.abs(c - N / 5) < 260, `${t}: ${c}`);
});

test("laclip draws are a function of (seed, epoch, index) and change across epochs", () => {
  const draw = (seed: number, epoch: number) => Array.from({ length: 200 }, (_, i) => pickText(K4(i), epoch, { mode: "laclip", seed }));
  assert.deepEqual(draw(1, 0), draw(1, 0));
  assert.notDeepEqual(draw(1, 0), draw(1, 1));
  assert.notDeepEqual(draw(1, 0), draw(2, 0));
});

test("a drawn text with fewer than 2 words (LaCLIP's split on single spaces) falls back to the original", () => {
  assert.equal(tooShort(""), true);
  assert.equal(tooShort("dog"), true);
  assert.equal(tooShort("dog "), false); // Python's "dog ".split(' ') has two parts
  assert.equal(tooShort("a dog"), false);
  const s = (i: number) => sample(i, ["the original", "x", "", "two words"]);
  const seen = new Set<string>();
  let originals = 0;
  const N = 8000;
  for (let i = 0; i < N; i++) {
    const t = pickText(s(i), 0, { mode: "laclip", seed: 3 });
    seen.add(t);
    if (t === "the original") originals++;
  }
  assert.deepEqual([...seen].sort(), ["the original", "two words"]);
  // the original is drawn directly 1/4 of the time and by fallback 2/4: 3/4 overall
  assert.ok(Math.abs(originals / N - 0.75) < 0.02, `${originals / N}`);
});

test("per-source weights shape the draw; unlisted sources weigh 1; zero weight never drawn", () => {
  const N = 20000;
  const counts = new Map<string, number>();
  const weights = { original: 2, chatgpt: 0, bard: 1 }; // human, coco unlisted: 1 each -> total 5
  for (let i = 0; i < N; i++) {
    const t = pickText(K4(i), 1, { mode: "laclip", seed: 9, sourceWeights: weights });
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  assert.equal(counts.get("rw one"), undefined);
  const expect: Record<string, number> = { "orig text": 0.4, "rw two": 0.2, "rw three": 0.2, "rw four": 0.2 };
  for (const [t, p] of Object.entries(expect)) assert.ok(Math.abs(counts.get(t)! / N - p) < 0.02, `${t}: ${counts.get(t)! / N}`);
  assert.throws(() => pickText(sample(1, ["a b", "c d"]), 0, { mode: "laclip", seed: 0, sourceWeights: { original: 1 } }), /source name for each text/);
});

test("laclip-mt gives all texts, short ones as the original, padded to the count", () => {
  assert.deepEqual(multiTexts(sample(0, ["orig a", "x", "rw b"]), 4), ["orig a", "orig a", "rw b", "orig a"]);
  assert.deepEqual(selectTexts(K4(0), 0, { mode: "laclip-mt", seed: 0 }, 5), ["orig text", "rw one", "rw two", "rw three", "rw four"]);
  assert.deepEqual(selectTexts(K4(0), 0, { mode: "clip", seed: 0 }, 5), ["orig text"]);
  assert.throws(() => multiTexts(K4(0), 3), /has 5 texts, more than the 3/);
});
