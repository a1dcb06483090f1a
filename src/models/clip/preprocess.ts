/** The eval transform a model expects: its image size and the mean/std its layout was trained with. */
import { evalTransform, type EvalTransformSpec, type Resampler } from "../../image/index.js";
import type { ClipConfig } from "./config.js";

export function imageTransformFor(config: ClipConfig, o: { resampler?: Resampler } = {}): EvalTransformSpec {
  return evalTransform({ size: config.vision.imageSize, normalize: config.imageMeanStd, resampler: o.resampler });
}
