import { test } from "node:test";
import assert from "node:assert/strict";
import { retrievalRecall } from "../../src/eval/index.js";
import { Rng } from "../../src/util/rng.js";

// Features on a grid of eighths: every dot product is exact in float32 and float64, and ties happen.
function gridFeatures(rng: Rng, rows: number, dim: number): Float32Array {
  return Float32Array.from({ length: rows * dim }, () => (rng.int(9) - 4) / 8);
}

const dot = (a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number => {
  let s = 0;
  for (let d = 0; d < dim; d++) s += a[i * dim + d]! * b[j * dim + d]!;
  return s;
};

/** Indices of the k best-scoring candidates by sorting (score descending, index ascending). */
function topK(scores: number[], k: number): number[] {
  return scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k).map(([, i]) => i);
}

/** CLIP_benchmark's recall@k computed by brute force from the whole score matrix. */
function bruteForce(img: Float32Array, txt: Float32Array, dim: number, textImage: number[], k: number): { image: number; text: number } {
  const nI = img.length / dim;
  const nT = txt.length / dim;
  let imageHits = 0;
  for (let t = 0; t < nT; t++) {
    const scores = Array.from({ length: nI }, (_, i) => dot(txt, t, img, i, dim));
    if (topK(scores, k).includes(textImage[t]!)) imageHits++;
  }
  let textHits = 0;
  for (let i = 0; i < nI; i++) {
    const scores = Array.from({ length: nT }, (_, t) => dot(img, i, txt, t, dim));
    if (topK(scores, k).some((t) => textImage[t] === i)) textHits++;
  }
  return { image: imageHits / nT, text: textHits / nI };
}

test("recall@k equals a brute-force top-k over the whole score matrix (several captions per image, ties, an image without captions)", () => {
  const rng = new Rng(7);
  for (const [nI, dim, block] of [[9, 4, 1024], [13, 3, 2], [6, 2, 5]] as const) {
    const img = gridFeatures(rng, nI, dim);
    const textImage: number[] = [];
    for (let i = 0; i < nI - 1; i++) for (let c = 0; c <= i % 3; c++) textImage.push(i); // the last image has no caption
    const txt = gridFeatures(rng, textImage.length, dim);
    const ks = [1, 2, 5, 10, 40];
    const r = retrievalRecall({ data: img, dim }, { data: txt, dim }, textImage, { recallK: ks, blockRows: block });
    assert.deepEqual(Object.keys(r.metrics), ks.flatMap((k) => [`image_retrieval_recall@${k}`, `text_retrieval_recall@${k}`]));
    for (const k of ks) {
      const want = bruteForce(img, txt, dim, textImage, k);
      assert.equal(r.metrics[`image_retrieval_recall@${k}`], want.image, `image@${k} (${nI} images)`);
      assert.equal(r.metrics[`text_retrieval_recall@${k}`], want.text, `text@${k} (${nI} images)`);
    }
    assert.equal(r.imagesWithoutText, 1);
    assert.equal(r.metrics["text_retrieval_recall@40"], (nI - 1) / nI); // every captioned image, never the caption-less one
    assert.equal(r.nTexts, textImage.length);
  }
});

test("a perfect embedding scores 1 at every k; the default ks are 1, 5, 10", () => {
  const dim = 4;
  const img = Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  const txt = Float32Array.from([...img.subarray(0, 4), ...img.subarray(0, 4), ...img.subarray(4)]);
  const r = retrievalRecall({ data: img, dim }, { data: txt, dim }, [0, 0, 1, 2, 3]);
  assert.deepEqual(r.metrics, {
    "image_retrieval_recall@1": 1, "text_retrieval_recall@1": 1, "image_retrieval_recall@5": 1,
    "text_retrieval_recall@5": 1, "image_retrieval_recall@10": 1, "text_retrieval_recall@10": 1,
  });
});

test("retrieval refuses mismatched inputs with a message naming the problem", () => {
  const f = { data: new Float32Array(6), dim: 3 };
  assert.throws(() => retrievalRecall(f, { data: new Float32Array(4), dim: 2 }, [0, 1]), /3 wide but text features 2/);
  assert.throws(() => retrievalRecall(f, f, [0]), /1 caption-to-image indices for 2 captions/);
  assert.throws(() => retrievalRecall(f, f, [0, 2]), /caption 1 points to image 2/);
  assert.throws(() => retrievalRecall(f, f, [0, 1], { recallK: [0] }), /positive integer k/);
  assert.throws(() => retrievalRecall({ data: new Float32Array(5), dim: 3 }, f, [0, 1]), /not whole rows/);
});
