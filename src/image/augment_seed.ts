/**
 * The seed of one image's augmentation: a function of (run seed, epoch, sample index) only, so a sample gets the
 * same crop whichever worker decodes it, in whatever order, and a resumed run repeats the crops of the original.
 */
import { deriveSeed } from "../util/rng.js";

export function augmentSeed(seed: number, epoch: number, index: number): number {
  return deriveSeed(seed, "image-augment", epoch, index);
}
