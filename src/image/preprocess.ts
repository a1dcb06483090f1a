/**
 * One image through a transform: libvips decodes, orients, cuts the box and shrinks; JavaScript enlarges any
 * axis that grows (see resample_axis.ts; with the `pillow` resampler it resizes every axis) and normalises into
 * planar float32.
 */
import sharp, { type Metadata, type Sharp } from "sharp";
import { ImageDecodeError } from "./image_decode_error.js";
import { normalisationTable, resolveNormalisation } from "./normalisation.js";
import { planTransform } from "./plan.js";
import { resampleHeight, resampleWidth } from "./resample_axis.js";
import { sourceName, type ImageSource } from "./source.js";
import type { TransformSpec } from "./spec.js";
import { hwcToChw } from "./to_chw.js";

/** Formats accepted (sharp's names; AVIF reports as heif). SVG/PDF are refused: they are documents, not photos. */
export const IMAGE_FORMATS: readonly string[] = ["jpeg", "png", "webp", "gif", "tiff", "heif"];

const BACKGROUND = { white: { r: 255, g: 255, b: 255 }, black: { r: 0, g: 0, b: 0 } } as const;
const KERNEL = { bicubic: "cubic", bilinear: "linear" } as const;

const tables = new Map<string, Float32Array>();
function tableFor(spec: TransformSpec): Float32Array {
  const n = resolveNormalisation(spec.normalize);
  const key = `${n.mean.join(",")}/${n.std.join(",")}`;
  let t = tables.get(key);
  if (!t) tables.set(key, (t = normalisationTable(n)));
  return t;
}

export interface PreprocessOptions {
  /** Seed of the random crop (train specs); see augmentSeed. */
  seed?: number;
  /** Where to write (3, size, size) floats; a new array when absent. */
  out?: Float32Array;
  /** Float offset into `out`. */
  offset?: number;
}

function decodeError(file: string, err: unknown): ImageDecodeError {
  const reason = err instanceof Error ? err.message.split("\n")[0]! : String(err);
  return new ImageDecodeError(file, reason, { cause: err });
}

/** Returns (3, spec.size, spec.size) float32 (or `out`); throws ImageDecodeError naming the file. */
export async function preprocessImage(source: ImageSource, spec: TransformSpec, options: PreprocessOptions = {}): Promise<Float32Array> {
  const file = sourceName(source);
  const size = spec.size;
  const out = options.out ?? new Float32Array(3 * size * size);
  const offset = options.offset ?? 0;
  if (offset < 0 || offset + 3 * size * size > out.length) {
    throw new RangeError(`preprocessImage: output slot [${offset}, ${offset + 3 * size * size}) outside an array of ${out.length}`);
  }
  // failOn 'error' rejects truncated and corrupt data but accepts the benign warnings many web JPEGs carry.
  const input = "path" in source ? source.path : source.bytes;
  let meta: Metadata;
  let img: Sharp;
  try {
    // inside the try: sharp refuses an empty buffer (a zero-byte shard member) synchronously, in its constructor
    img = sharp(input, { failOn: "error", ignoreIcc: spec.icc !== "apply" });
    meta = await img.metadata();
  } catch (err) {
    throw decodeError(file, err);
  }
  if (!IMAGE_FORMATS.includes(meta.format)) {
    throw new ImageDecodeError(file, `format '${meta.format}' is not accepted; accepted: ${IMAGE_FORMATS.join(", ")}`);
  }
  const { width, height } = meta.autoOrient; // upright size, after the EXIF orientation
  const plan = planTransform(spec, width, height, options.seed ?? 0);
  const { crop, resize } = plan;
  // libvips shrinks; an axis that must grow (or every axis, with the pillow resampler) stays at the crop's size
  // here and is resampled below.
  const pillow = spec.resampler === "pillow";
  const w = pillow ? crop.width : Math.min(resize.width, crop.width);
  const h = pillow ? crop.height : Math.min(resize.height, crop.height);
  let pipeline = img.autoOrient();
  if (crop.width !== width || crop.height !== height) pipeline = pipeline.extract(crop);
  if (w !== crop.width || h !== crop.height) {
    pipeline = pipeline.resize(w, h, { fit: "fill", kernel: KERNEL[spec.interpolation], fastShrinkOnLoad: false });
  }
  let pixels: Uint8Array;
  try {
    const { data, info } = await pipeline
      .flatten({ background: BACKGROUND[spec.background] })
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== w || info.height !== h) {
      throw new Error(`decoder returned ${info.width}x${info.height}x${info.channels}, expected ${w}x${h}x3`);
    }
    pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (err) {
    throw decodeError(file, err);
  }
  let cw = w;
  // Width first, then height, as Pillow does (the uint8 rounding in between depends on the order).
  if (resize.width !== w) pixels = resampleWidth(pixels, w, h, (cw = resize.width), spec.interpolation);
  if (resize.height !== h) pixels = resampleHeight(pixels, cw, h, resize.height, spec.interpolation);
  hwcToChw(pixels, cw, plan.window, tableFor(spec), out, offset);
  return out;
}
