/**
 * What to do to each image, as plain data: specs cross the worker boundary by structured clone and are saved
 * with training configs. `evalTransform` / `trainTransform` fill in the defaults; `validateSpec` checks a spec
 * that came from a file or a command line.
 */
import { ConfigError } from "../errors/config_error.js";
import { resolveNormalisation, type Normalisation, type NormalisationName } from "./normalisation.js";

/** Pillow's BICUBIC (Keys, a = -0.5) or BILINEAR, both antialiased when shrinking, as torchvision uses them. */
export type Interpolation = "bicubic" | "bilinear";

/**
 * What transparent pixels are composited onto. Pillow's `convert("RGB")` (what LaCLIP and open_clip call) drops
 * alpha and shows whatever colour the transparent pixels store; compositing is defined for every file instead.
 * White is the default because transparent artwork (icons, emoji, logos) is drawn to be seen on a light page.
 */
export type Background = "white" | "black";

/**
 * Who shrinks. `libvips` (default, fast): libvips' reducers with the same kernel, within a few levels of Pillow
 * (see README.md for measured differences). `pillow`: every resized axis in JavaScript with Pillow's algorithm,
 * bit-exact to Pillow on the decoded pixels but several times slower; for evaluations that must match PyTorch.
 * Enlarged axes always use the Pillow path.
 */
export type Resampler = "libvips" | "pillow";

/**
 * Embedded ICC profiles. `ignore` (default) reads pixel values as stored, as Pillow and so every PyTorch CLIP
 * pipeline does: what the released checkpoints saw. `apply` converts from the embedded profile to sRGB first
 * (colour-correct for Display P3 or Adobe RGB photos, but not what those checkpoints were trained on).
 */
export type IccHandling = "ignore" | "apply";

interface CommonSpec {
  /** Output side: every image becomes (3, size, size). */
  size: number;
  interpolation: Interpolation;
  normalize: NormalisationName | Normalisation;
  background: Background;
  resampler: Resampler;
  icc: IccHandling;
}

/** Resize the shortest side to `size`, then take the centre `size` x `size` (torchvision Resize + CenterCrop). */
export interface EvalTransformSpec extends CommonSpec {
  kind: "eval";
}

/** torchvision RandomResizedCrop(size, scale, ratio): a random box, resized to `size` x `size`. */
export interface TrainTransformSpec extends CommonSpec {
  kind: "train";
  /** Fraction of the image area the box covers, [lo, hi]. */
  scale: [number, number];
  /** Box width / height, [lo, hi]; sampled uniformly in log space. */
  ratio: [number, number];
}

export type TransformSpec = EvalTransformSpec | TrainTransformSpec;

export interface SpecOptions {
  size?: number;
  normalize: NormalisationName | Normalisation;
  interpolation?: Interpolation;
  background?: Background;
  resampler?: Resampler;
  icc?: IccHandling;
}

export function evalTransform(o: SpecOptions): EvalTransformSpec {
  return validateSpec({
    kind: "eval",
    size: o.size ?? 224,
    normalize: o.normalize,
    interpolation: o.interpolation ?? "bicubic",
    background: o.background ?? "white",
    resampler: o.resampler ?? "libvips",
    icc: o.icc ?? "ignore",
  }) as EvalTransformSpec;
}

export function trainTransform(o: SpecOptions & { scale?: [number, number]; ratio?: [number, number] }): TrainTransformSpec {
  return validateSpec({
    kind: "train",
    size: o.size ?? 224,
    normalize: o.normalize,
    interpolation: o.interpolation ?? "bicubic",
    background: o.background ?? "white",
    resampler: o.resampler ?? "libvips",
    icc: o.icc ?? "ignore",
    scale: o.scale ?? [0.5, 1.0], // LaCLIP's crop scale; torchvision's default would be (0.08, 1)
    ratio: o.ratio ?? [3 / 4, 4 / 3],
  }) as TrainTransformSpec;
}

function pair(v: unknown, key: string, ok: (lo: number, hi: number) => boolean, what: string): void {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isFinite(x)) || !ok(v[0], v[1])) {
    throw new ConfigError(`${key} must be [lo, hi] with ${what}`, key);
  }
}

/** Throws a ConfigError naming the field when the spec cannot be used; returns it unchanged otherwise. */
export function validateSpec(spec: TransformSpec): TransformSpec {
  if (spec.kind !== "eval" && spec.kind !== "train") {
    throw new ConfigError(`transform kind must be 'eval' or 'train', got '${String((spec as { kind: unknown }).kind)}'`, "kind");
  }
  if (!Number.isInteger(spec.size) || spec.size < 1 || spec.size > 8192) {
    throw new ConfigError(`image size must be an integer in [1, 8192], got ${spec.size}`, "size");
  }
  if (spec.interpolation !== "bicubic" && spec.interpolation !== "bilinear") {
    throw new ConfigError(`interpolation must be 'bicubic' or 'bilinear', got '${spec.interpolation}'`, "interpolation");
  }
  if (spec.background !== "white" && spec.background !== "black") {
    throw new ConfigError(`background must be 'white' or 'black', got '${spec.background}'`, "background");
  }
  if (spec.resampler !== "libvips" && spec.resampler !== "pillow") {
    throw new ConfigError(`resampler must be 'libvips' or 'pillow', got '${spec.resampler}'`, "resampler");
  }
  if (spec.icc !== "ignore" && spec.icc !== "apply") {
    throw new ConfigError(`icc must be 'ignore' or 'apply', got '${spec.icc}'`, "icc");
  }
  resolveNormalisation(spec.normalize);
  if (spec.kind === "train") {
    pair(spec.scale, "scale", (lo, hi) => lo > 0 && lo <= hi && hi <= 1, "0 < lo <= hi <= 1");
    pair(spec.ratio, "ratio", (lo, hi) => lo > 0 && lo <= hi, "0 < lo <= hi");
  }
  return spec;
}
