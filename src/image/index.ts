/** Image preprocessing: decode, EXIF-orient, flatten alpha, resize/crop like torchvision, normalise, batch. */
export { augmentSeed } from "./augment_seed.js";
export { preprocessBatch, type BatchOptions } from "./batch.js";
export { DecodePool, type DecodePoolOptions } from "./decode_pool.js";
export { DecodePoolError } from "./decode_pool_error.js";
export type { DecodeJob, DecodeResult, ImageDecoder } from "./decoder.js";
export { centerCropBox, fallbackCropBox, randomResizedCropBox, roundHalfEven, shortestSideSize, type Box } from "./geometry.js";
export { batchToHostTensor } from "./host.js";
export { ImageDecodeError } from "./image_decode_error.js";
export { InlineDecoder } from "./inline_decoder.js";
export { NORMALISATIONS, normalisationTable, resolveNormalisation, type Normalisation, type NormalisationName } from "./normalisation.js";
export { planTransform, type Plan } from "./plan.js";
export { IMAGE_FORMATS, preprocessImage, type PreprocessOptions } from "./preprocess.js";
export { configureSharpForDecoding } from "./sharp_setup.js";
export type { ImageSource } from "./source.js";
export {
  evalTransform, trainTransform, validateSpec,
  type Background, type EvalTransformSpec, type IccHandling, type Interpolation, type Resampler, type TrainTransformSpec, type TransformSpec,
} from "./spec.js";

import { DecodePool } from "./decode_pool.js";
import type { ImageDecoder } from "./decoder.js";
import { InlineDecoder } from "./inline_decoder.js";

/** `workers: 0` decodes from the calling thread; more starts a DecodePool. */
export function createDecoder(options: { workers: number; perWorker?: number }): ImageDecoder {
  return options.workers === 0 ? new InlineDecoder() : new DecodePool(options);
}
