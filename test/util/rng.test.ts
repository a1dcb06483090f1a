import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng, deriveSeed } from "../../src/util/rng.js";

test("same seed gives the same stream, different seeds differ", () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xa = Array.from({ length: 8 }, () => a.nextU32());
  const xb = Array.from({ length: 8 }, () => b.nextU32());
  const xc = Array.from({ length: 8 }, () => c.nextU32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test("deriveSeed separates its parts and is order sensitive", () => {
  assert.equal(deriveSeed(1, "chatgpt", 7), deriveSeed(1, "chatgpt", 7));
  assert.notEqual(deriveSeed("ab", "c"), deriveSeed("a", "bc"));
  assert.notEqual(deriveSeed(1, 2), deriveSeed(2, 1));
});

test("int is uniform enough and in range; float in [0,1)", () => {
  const r = new Rng(7);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 60000; i++) counts[r.int(6)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 500, `bucket count ${c} far from 10000`);
  for (let i = 0; i < 1000; i++) {
    const f = r.float();
    assert.ok(f >= 0 && f < 1);
  }
  assert.throws(() => r.int(0), RangeError);
});

test("sample draws distinct items; shuffle is a permutation", () => {
  const r = new Rng(3);
  const s = r.sample([1, 2, 3, 4, 5, 6, 7, 8], 3);
  assert.equal(new Set(s).size, 3);
  assert.throws(() => r.sample([1, 2], 3), RangeError);
  const p = r.shuffle([...Array(20).keys()]);
  assert.deepEqual([...p].sort((x, y) => x - y), [...Array(20).keys()]);
});
