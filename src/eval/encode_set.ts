/**
 * Features of a whole evaluation split: every image through the image tower (decoded in streamed batches,
 * L2-normalised), and texts through the text tower. The tasks (zero-shot, retrieval, linear probe, few-shot)
 * all start from these, so a split is encoded once per model however many tasks use it.
 */
import { InlineDecoder, type EvalTransformSpec, type ImageDecoder } from "../image/index.js";
import { LaclipError } from "../errors/laclip_error.js";
import { decodedBatches, type SkippedImage } from "./batches.js";
import type { TextTokenizer } from "./classifier.js";
import type { LabelledFeatures } from "./features.js";
import { encodeImageRows, encodeTokens, type RunOptions } from "./run_model.js";
import type { EvalSample, ZeroShotModel } from "./types.js";

export interface ImageFeatureOptions extends RunOptions {
  transform: EvalTransformSpec;
  /** Images per encodeImage call. Default 64. */
  batchSize?: number;
  /** A decoder to share; default one in-thread decoder, closed at the end. */
  decoder?: ImageDecoder;
  log?: (line: string) => void;
  onProgress?: (done: number, total: number) => void;
}

/** Normalised image features with each kept sample's label; undecodable images are left out and listed. */
export interface SplitFeatures extends LabelledFeatures {
  labels: Int32Array;
  skipped: SkippedImage[];
  seconds: number;
}

export async function imageFeatures(model: ZeroShotModel, samples: readonly EvalSample[], source: string, o: ImageFeatureOptions): Promise<SplitFeatures> {
  if (samples.length === 0) throw new LaclipError(`the evaluation split '${source}' has no images`);
  const t0 = performance.now();
  const wasTraining = model.training;
  model.train?.(false);
  const decoder = o.decoder ?? new InlineDecoder();
  const chunks: Float32Array[] = [];
  const labels: number[] = [];
  const skipped: SkippedImage[] = [];
  let dim = 0;
  let done = 0;
  try {
    for await (const b of decodedBatches(samples, o.transform, decoder, o.batchSize ?? 64)) {
      for (const s of b.skipped) o.log?.(`skipped ${s.path}: ${s.reason}`);
      skipped.push(...b.skipped);
      if (b.rows > 0) {
        const f = encodeImageRows((x) => model.encodeImage(x), b.pixels, b.rows, o.transform.size, o);
        dim = f.dim;
        chunks.push(f.data);
        labels.push(...b.labels);
      }
      done += b.rows + b.skipped.length;
      o.onProgress?.(done, samples.length);
    }
  } finally {
    if (o.decoder === undefined) await decoder.close();
    if (wasTraining !== undefined) model.train?.(wasTraining);
  }
  if (labels.length === 0) throw new LaclipError(`none of the ${samples.length} images of '${source}' could be decoded (first: ${skipped[0]!.path}: ${skipped[0]!.reason})`);
  const data = new Float32Array(labels.length * dim);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return { data, dim, labels: Int32Array.from(labels), skipped, seconds: (performance.now() - t0) / 1000 };
}

export interface TextFeatureOptions extends RunOptions {
  tokenizer: TextTokenizer;
  contextLength: number;
  /** Texts per encodeText call. Default 256. */
  textBatch?: number;
}

/** (texts, D) normalised text features. */
export function textFeatures(model: ZeroShotModel, texts: readonly string[], o: TextFeatureOptions): { data: Float32Array; dim: number } {
  const batch = o.textBatch ?? 256;
  const chunks: Float32Array[] = [];
  let dim = 0;
  for (let s = 0; s < texts.length; s += batch) {
    const f = encodeTokens((x) => model.encodeText(x), o.tokenizer.encodeBatchI64(texts.slice(s, s + batch), o.contextLength), o);
    dim = f.dim;
    chunks.push(f.data);
  }
  const data = new Float32Array(texts.length * dim);
  chunks.forEach((c, i) => data.set(c, i * batch * dim));
  return { data, dim };
}
