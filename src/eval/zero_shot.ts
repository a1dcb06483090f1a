/**
 * Zero-shot classification of an evaluation set: the class weights from the text tower, then the images in
 * streamed batches, each scored against every class and ranked. This is what `laclip eval` runs once and the
 * trainer runs after an epoch.
 *
 *   const report = await zeroShotEval(model, set, { tokenizer, templates, transform, contextLength: 77 });
 *   report.acc1, report.acc5, report.meanPerClassRecall, report.perClass, report.skipped
 */
import type { Tensor } from "../engine/index.js";
import { LaclipError } from "../errors/laclip_error.js";
import { InlineDecoder, type EvalTransformSpec, type ImageDecoder } from "../image/index.js";
import { decodedBatches, type SkippedImage } from "./batches.js";
import { buildZeroShotClassifier, type ClassifierOptions } from "./classifier.js";
import { ZeroShotAccumulator, type ZeroShotMetrics } from "./metrics.js";
import { imageLogits } from "./run_model.js";
import type { EvalSet, ZeroShotModel } from "./types.js";

export interface ZeroShotOptions extends ClassifierOptions {
  /** Prompt templates with `{}` for the class name. */
  templates: readonly string[];
  /** The model's eval transform (its image size and mean/std; see clipEvalInputs). */
  transform: EvalTransformSpec;
  /** Images per encodeImage call. Default 64. */
  batchSize?: number;
  /** A decoder to share (a DecodePool for parallel decoding); default: one in-thread decoder, closed at the end. */
  decoder?: ImageDecoder;
  /** Class weights (D, C) computed before (buildZeroShotClassifier); default: computed here and freed after. */
  classifier?: Tensor;
  /** One line per skipped image. */
  log?: (line: string) => void;
  /** After each batch: images done (evaluated or skipped) and in all. */
  onProgress?: (done: number, total: number) => void;
}

export interface ZeroShotReport extends ZeroShotMetrics {
  /** Images that could not be decoded; they are in no metric. */
  skipped: SkippedImage[];
  /** Seconds spent on the class weights and on the images. */
  textSeconds: number;
  imageSeconds: number;
}

export async function zeroShotEval(model: ZeroShotModel, set: EvalSet, o: ZeroShotOptions): Promise<ZeroShotReport> {
  if (set.samples.length === 0) throw new LaclipError(`the evaluation set '${set.source}' has no images`);
  const wasTraining = model.training;
  model.train?.(false);
  const decoder = o.decoder ?? new InlineDecoder();
  let weights: Tensor | undefined;
  try {
    const t0 = performance.now();
    weights = o.classifier ?? buildZeroShotClassifier(model, set.classes, o.templates, o);
    const t1 = performance.now();
    const acc = new ZeroShotAccumulator(set.classes.map((c) => c.name));
    const skipped: SkippedImage[] = [];
    let done = 0;
    for await (const b of decodedBatches(set.samples, o.transform, decoder, o.batchSize ?? 64)) {
      for (const s of b.skipped) o.log?.(`skipped ${s.path}: ${s.reason}`);
      skipped.push(...b.skipped);
      if (b.rows > 0) acc.add(imageLogits((x) => model.encodeImage(x), b.pixels, b.rows, o.transform.size, weights, o), b.labels);
      done += b.rows + b.skipped.length;
      o.onProgress?.(done, set.samples.length);
    }
    if (acc.count === 0) {
      const first = skipped[0]!;
      throw new LaclipError(`none of the ${set.samples.length} images of '${set.source}' could be decoded (first: ${first.path}: ${first.reason})`);
    }
    return { ...acc.result(), skipped, textSeconds: (t1 - t0) / 1000, imageSeconds: (performance.now() - t1) / 1000 };
  } finally {
    if (o.classifier === undefined) weights?.dispose();
    if (o.decoder === undefined) await decoder.close();
    if (wasTraining !== undefined) model.train?.(wasTraining);
  }
}
