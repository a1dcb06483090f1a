import { test } from "node:test";
import assert from "node:assert/strict";
import { scalar, tensor, tidy } from "../../src/engine/index.js";
import { clipLogits, clipLoss, multiTextClipLoss } from "../../src/models/clip/index.js";
import { ConfigError } from "../../src/errors/index.js";

/** The CLIP loss written out with plain numbers: features given as rows of unit length. */
function handLoss(img: number[][], txt: number[][], logScale: number): number {
  const s = Math.exp(logScale);
  const n = img.length;
  const L = img.map((a) => txt.map((b) => s * a.reduce((acc, x, k) => acc + x * b[k]!, 0)));
  const ce = (row: number[], target: number) => Math.log(row.reduce((acc, v) => acc + Math.exp(v), 0)) - row[target]!;
  let i2t = 0;
  let t2i = 0;
  for (let i = 0; i < n; i++) {
    i2t += ce(L[i]!, i);
    t2i += ce(L.map((r) => r[i]!), i);
  }
  return (i2t / n + t2i / n) / 2;
}

const unit = (v: number[]) => {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};

test("clipLoss equals the symmetric cross-entropy computed by hand", () => {
  const img = [unit([1, 2, 0.5]), unit([-1, 0.3, 2]), unit([0.2, -0.7, 0.1])];
  const txt = [unit([0.9, 2.2, 0.1]), unit([-0.5, 0.1, 1.5]), unit([1, 1, 1])];
  const logScale = Math.log(1 / 0.07);
  const got = tidy(() => clipLoss(tensor(img), tensor(txt), scalar(logScale)).item());
  assert.ok(Math.abs(got - handLoss(img, txt, logScale)) < 1e-5, `${got} vs ${handLoss(img, txt, logScale)}`);
  // At temperature 1 with orthogonal pairs, each CE is log(1 + (n-1)/e): a value worked out on paper.
  const eye = [[1, 0], [0, 1]];
  const atOne = tidy(() => clipLoss(tensor(eye), tensor(eye), scalar(0)).item());
  assert.ok(Math.abs(atOne - Math.log(1 + 1 / Math.E)) < 1e-6, String(atOne));
});

test("logits are exp(scale) * cosine, rows per image, and the text logits their transpose", () => {
  tidy(() => {
    const { logitsPerImage, logitsPerText } = clipLogits(tensor([[1, 0], [0, 1]]), tensor([[0.6, 0.8], [1, 0], [0, 1]]), scalar(Math.log(2)));
    assert.deepEqual(logitsPerImage.shape, [2, 3]);
    const li = logitsPerImage.toArray() as number[][];
    assert.ok(Math.abs(li[0]![0]! - 1.2) < 1e-6 && Math.abs(li[1]![0]! - 1.6) < 1e-6 && Math.abs(li[1]![2]! - 2) < 1e-6);
    assert.deepEqual(logitsPerText.toArray(), logitsPerImage.t().toArray());
  });
});

test("the multi-text loss is the mean of the per-batch CLIP losses, and its gradient reaches the scale", () => {
  const img = [unit([1, 0.1]), unit([0.2, 1])];
  const texts = [[unit([1, 0]), unit([0, 1])], [unit([0.5, 0.5]), unit([0.1, 1])], [unit([-1, 0.2]), unit([1, 1])]];
  const ls = 1.3;
  const want = texts.reduce((a, t) => a + handLoss(img, t, ls), 0) / texts.length;
  tidy(() => {
    const scale = scalar(ls, { requiresGrad: true });
    const loss = multiTextClipLoss(tensor(img), texts.map((t) => tensor(t)), scale);
    assert.ok(Math.abs(loss.item() - want) < 1e-5);
    loss.backward();
    assert.ok(scale.grad !== undefined && Number.isFinite(scale.grad.item()));
  });
});

test("mismatched feature batches are refused", () => {
  tidy(() => {
    assert.throws(() => clipLoss(tensor([[1, 0]]), tensor([[1, 0], [0, 1]]), scalar(0)), ConfigError);
    assert.throws(() => multiTextClipLoss(tensor([[1, 0]]), [], scalar(0)), ConfigError);
  });
});
