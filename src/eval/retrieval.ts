/**
 * Zero-shot retrieval recall@k as CLIP_benchmark defines it (metrics/zeroshot_retrieval.py), from features:
 * - image_retrieval_recall@k: over captions, the fraction whose own image is among the k images scoring highest;
 * - text_retrieval_recall@k: over images, the fraction with at least one of their captions among the k captions
 *   scoring highest (an image without captions counts as a miss, as its 0/0 recall does there).
 * Scores are dot products of the given rows (pass L2-normalised features: cosine similarity). Ties go to the
 * lower index, as the zero-shot ranking does; a k above the candidates' count is a hit for every positive
 * (CLIP_benchmark's torch.topk would refuse it). Scores are computed in float32 by libtorch, a block of rows at
 * a time, so a 25k x 5k set never holds its whole score matrix.
 *
 *   const r = retrievalRecall(images, texts, textImage, { recallK: [1, 5, 10] });
 *   r.metrics["image_retrieval_recall@5"], r.metrics["text_retrieval_recall@1"]
 */
import { LaclipError } from "../errors/laclip_error.js";
import { featureRows, type Features } from "./features.js";
import { scoreBlock } from "./scores.js";

export interface RetrievalOptions {
  /** The k of each recall@k, in the order the keys are written. Default [1, 5, 10] (CLIP_benchmark's --recall_k default is 5). */
  recallK?: readonly number[];
  /** Rows scored per libtorch matmul; bounds memory at blockRows x max(images, texts) floats. Default 1024. */
  blockRows?: number;
}

export interface RetrievalResult {
  /** CLIP_benchmark's keys: image_retrieval_recall@k and text_retrieval_recall@k for each k (fractions 0..1). */
  metrics: Record<string, number>;
  nImages: number;
  nTexts: number;
  /** Images no caption points to (each a text-retrieval miss). */
  imagesWithoutText: number;
}

/** Rank (0 = first) of candidate `j` in a row of scores, ties going to the lower index. */
function rankIn(row: Float32Array, base: number, m: number, j: number): number {
  const s = row[base + j]!;
  let rank = 0;
  for (let i = 0; i < m; i++) {
    const v = row[base + i]!;
    if (v > s || (v === s && i < j)) rank++;
  }
  return rank;
}

export function retrievalRecall(images: Features, texts: Features, textImage: ArrayLike<number>, o: RetrievalOptions = {}): RetrievalResult {
  const ks = o.recallK ?? [1, 5, 10];
  const block = o.blockRows ?? 1024;
  const nI = featureRows(images, "image features");
  const nT = featureRows(texts, "text features");
  if (nI === 0 || nT === 0) throw new LaclipError(`retrieval needs at least one image and one caption, got ${nI} images and ${nT} captions`);
  if (images.dim !== texts.dim) throw new LaclipError(`image features are ${images.dim} wide but text features ${texts.dim}; they must come from one model`);
  if (textImage.length !== nT) throw new LaclipError(`${textImage.length} caption-to-image indices for ${nT} captions`);
  if (ks.length === 0 || ks.some((k) => !(Number.isInteger(k) && k >= 1))) throw new LaclipError(`recall@k needs positive integer k values, got [${ks.join(", ")}]`);
  if (!(Number.isInteger(block) && block >= 1)) throw new RangeError(`blockRows must be a positive integer, got ${block}`);
  const captions: number[][] = Array.from({ length: nI }, () => []);
  for (let t = 0; t < nT; t++) {
    const i = textImage[t]!;
    if (!(Number.isInteger(i) && i >= 0 && i < nI)) throw new LaclipError(`caption ${t} points to image ${i}, not an index in [0, ${nI - 1}]`);
    captions[i]!.push(t);
  }
  // per caption: the rank of its image among all images
  const imageRank = new Float64Array(nT);
  for (let s = 0; s < nT; s += block) {
    const e = Math.min(nT, s + block);
    const sc = scoreBlock(texts, s, e, images); // (e - s, nI)
    for (let t = s; t < e; t++) imageRank[t] = rankIn(sc, (t - s) * nI, nI, textImage[t]!);
  }
  // per image: the rank of its best-ranked caption among all captions (nT when it has none)
  const textRank = new Float64Array(nI).fill(nT);
  for (let s = 0; s < nI; s += block) {
    const e = Math.min(nI, s + block);
    const sc = scoreBlock(images, s, e, texts); // (e - s, nT)
    for (let i = s; i < e; i++) {
      const base = (i - s) * nT;
      let best = -1;
      for (const t of captions[i]!) if (best < 0 || sc[base + t]! > sc[base + best]!) best = t; // captions ascend, so ties keep the lower
      if (best >= 0) textRank[i] = rankIn(sc, base, nT, best);
    }
  }
  const metrics: Record<string, number> = {};
  for (const k of ks) {
    metrics[`image_retrieval_recall@${k}`] = imageRank.reduce((n, r) => n + (r < k ? 1 : 0), 0) / nT;
    metrics[`text_retrieval_recall@${k}`] = textRank.reduce((n, r, i) => n + (r < k && captions[i]!.length > 0 ? 1 : 0), 0) / nI;
  }
  return { metrics, nImages: nI, nTexts: nT, imagesWithoutText: captions.filter((c) => c.length === 0).length };
}
