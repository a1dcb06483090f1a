import assert from "node:assert/strict";
import { test } from "node:test";
import { checkRewrite, isRepetitive, normalise, parseCompletion } from "../../src/rewrite/quality/check.js";

const INPUT = "a brown dog running on the beach at sunset";
const reason = (raw: string, input = INPUT, o = {}) => {
  const r = checkRewrite(raw, input, o);
  return r.ok ? "ok" : r.reason;
};

test("parsing keeps the text up to the first newline, stripped", () => {
  assert.equal(parseCompletion("  A dog runs. \nnext line => x"), "A dog runs.");
  assert.equal(parseCompletion("A dog runs.\r\nmore"), "A dog runs.");
  assert.equal(parseCompletion("\nA dog runs."), "");
  assert.equal(parseCompletion(" plain "), "plain");
});

test("each reject reason", () => {
  assert.equal(reason(" A dog races along the sand as the sun goes down.\nx"), "ok");
  assert.equal(reason("   "), "empty");
  assert.equal(reason("\nA dog races along the sand."), "empty", "newline-first completion is empty");
  assert.equal(reason("Dog."), "too_short");
  assert.equal(reason("A Brown Dog, running on the beach at sunset!"), "identical");
  assert.equal(reason("a dog on sand => a dog on the beach"), "prompt_echo");
  assert.equal(reason("word ".repeat(60) + "end", "a dog"), "too_long", "ratio limit for a short input");
  assert.equal(reason("x".repeat(20) + " y".repeat(300), "z ".repeat(400)), "too_long", "absolute cap");
  assert.equal(reason("the dog the dog the dog ran"), "repetition");
  assert.equal(reason("A dog runs\u0007 on sand"), "non_printable");
  assert.equal(reason("A dog runs \uFFFD on sand"), "non_printable");
  assert.equal(reason("A dog runs on sand", INPUT, { echoMarkers: ["Rewrite:"] }), "ok");
  assert.equal(reason("Rewrite: A dog runs on sand", INPUT, { echoMarkers: ["Rewrite:"] }), "prompt_echo");
});

test("tabs, emoji and accented letters are printable", () => {
  assert.equal(reason("A dog\truns on the plage 🐕 at dusk, très joli"), "ok");
});

test("normalise ignores case, punctuation and spacing", () => {
  assert.equal(normalise("  A Dog -- on the BEACH!! "), "a dog on the beach");
});

test("repetition detector", () => {
  assert.equal(isRepetitive("a dog runs on a beach with a ball".split(" ")), false);
  assert.equal(isRepetitive("very very very very good".split(" ")), true);
  assert.equal(isRepetitive("red car blue car red car blue car red car blue car".split(" ")), true);
  assert.equal(isRepetitive("cat cat cat dog cat bird cat".split(" ")), true, "one word over half of the text");
  assert.equal(isRepetitive("one by one they go".split(" ")), false);
});
