/**
 * Turns a spec and an image's upright size into the three steps every transform is made of: cut a box out of
 * the image, resize the box, then keep a window of the result. Eval keeps the whole image, resizes its shortest
 * side and windows the centre; train cuts a random box and resizes it to the output size.
 */
import { Rng } from "../util/rng.js";
import { centerCropBox, randomResizedCropBox, shortestSideSize, type Box } from "./geometry.js";
import type { TransformSpec } from "./spec.js";

export interface Plan {
  crop: Box;
  resize: { width: number; height: number };
  window: Box;
}

/** `seed` drives the random box of a train spec (see `augmentSeed`); eval specs ignore it. */
export function planTransform(spec: TransformSpec, width: number, height: number, seed: number): Plan {
  const s = spec.size;
  if (spec.kind === "eval") {
    const resize = shortestSideSize(width, height, s);
    return { crop: { left: 0, top: 0, width, height }, resize, window: centerCropBox(resize.width, resize.height, s) };
  }
  const crop = randomResizedCropBox(new Rng(seed), width, height, spec.scale, spec.ratio);
  return { crop, resize: { width: s, height: s }, window: { left: 0, top: 0, width: s, height: s } };
}
