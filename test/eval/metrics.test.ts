import { test } from "node:test";
import assert from "node:assert/strict";
import { ZeroShotAccumulator, rankOfLabel } from "../../src/eval/index.js";

const f32 = (rows: number[][]): Float32Array => Float32Array.from(rows.flat());

test("rank breaks ties toward the lower class index, like torch.argmax", () => {
  const l = f32([[0.5, 0.9, 0.9, 0.1]]);
  assert.equal(rankOfLabel(l, 4, 0, 1), 0); // ties with class 2, but comes first
  assert.equal(rankOfLabel(l, 4, 0, 2), 1); // class 1 ties and has the lower index
  assert.equal(rankOfLabel(l, 4, 0, 0), 2);
  assert.equal(rankOfLabel(l, 4, 0, 3), 3);
  assert.equal(rankOfLabel(f32([[1, 1, 1]]), 3, 0, 2), 2); // all equal: rank = index
  assert.equal(rankOfLabel(f32([[1, NaN, 0]]), 3, 0, 0), 3); // not finite: counted as a miss
});

test("acc1, acc5 and mean per-class recall against a hand computation, with ties and a class without images", () => {
  const names = ["a", "b", "c", "d", "e", "f"];
  const acc = new ZeroShotAccumulator(names);
  // row: label; rank of the label by hand
  acc.add(f32([
    [9, 1, 1, 1, 1, 1], // label 0: rank 0
    [5, 5, 0, 0, 0, 0], // label 1: ties with 0, which is lower -> rank 1
    [0, 0, 0, 0, 0, 0], // label 5: all tie -> rank 5 (miss at top-5)
  ]), [0, 1, 5]);
  acc.add(f32([
    [1, 2, 3, 4, 5, 6], // label 1: rank 4 (top-5 hit)
    [1, 2, 3, 4, 5, 6], // label 5: rank 0
  ]), [1, 5]);
  const m = acc.result();
  assert.equal(m.nImages, 5);
  assert.equal(m.nClasses, 6);
  assert.equal(m.acc1, 2 / 5); // rows 1 and 5
  assert.equal(m.acc5, 4 / 5); // all but the all-tie row
  // classes with images: a 1/1, b 0/2, f 1/2; c, d, e have none and are left out of the mean
  assert.equal(m.meanPerClassRecall, (1 + 0 + 0.5) / 3);
  assert.deepEqual(m.perClass.map((c) => [c.name, c.n, c.correct1, c.recall]), [
    ["a", 1, 1, 1], ["b", 2, 0, 0], ["c", 0, 0, null], ["d", 0, 0, null], ["e", 0, 0, null], ["f", 2, 1, 0.5],
  ]);
  assert.equal(m.nNonFinite, 0);
});

test("acc5 is null with fewer than 5 classes; non-finite rows are misses and counted", () => {
  const acc = new ZeroShotAccumulator(["x", "y", "z"]);
  acc.add(f32([[0, 1, 2], [Infinity, 0, 0], [3, 2, 1]]), [2, 0, 0]);
  const m = acc.result();
  assert.equal(m.acc5, null);
  assert.equal(m.acc1, 2 / 3);
  assert.equal(m.nNonFinite, 1);
  assert.equal(m.meanPerClassRecall, (0.5 + 1) / 2);
});

test("the accumulator refuses bad shapes and labels, and an empty result", () => {
  const acc = new ZeroShotAccumulator(["x", "y"]);
  assert.throws(() => acc.add(f32([[1, 2, 3]]), [0]), /expected 1 x 2/);
  assert.throws(() => acc.add(f32([[1, 2]]), [2]), /label 2 is not a class index/);
  assert.throws(() => acc.result(), /no image was evaluated/);
  assert.throws(() => new ZeroShotAccumulator([]), /at least one class/);
});
