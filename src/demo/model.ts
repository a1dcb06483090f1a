/**
 * The demo's CLIP: a tiny LaCLIP-layout ViT for emoji a few dozen pixels wide, and a small text tower. It is
 * sized so that both methods train for several epochs in the default budget on two CPU cores; it was chosen
 * once, before comparing methods, and is the same for both. docs/demo.md lists it.
 */
import { resolveClipConfig, type ClipConfig } from "../models/clip/index.js";

/** Tokens per text: emoji names are short (the longest are about 10 words), and rewrites add a few words. */
export const DEMO_CONTEXT = 16;

/**
 * The patch side that gives a grid of about 4 x 4 patches (at 32 px: 8 px patches). Measured at 32 px on the
 * 2-core machine, an 8 x 8 grid of 4 px patches trained 2.4x slower per step, and CLIP-only sizing runs reached
 * a lower accuracy with it in comparable wall time (docs/demo.md). A size with no divisor near size / 4 gets the nearest grid of at least 2 x 2 it has.
 */
export function demoPatchSize(size: number): number {
  let best = 1;
  for (let p = 1; p <= size; p++) {
    if (size % p === 0 && size / p >= 2 && Math.abs(size / p - 4) <= Math.abs(size / best - 4)) best = p;
  }
  return best;
}

export function demoModelConfig(size: number, vocabSize: number): ClipConfig {
  return resolveClipConfig({
    layout: "laclip",
    embedDim: 128,
    vision: { imageSize: size, patchSize: demoPatchSize(size), width: 128, layers: 4, heads: 4 },
    text: { contextLength: DEMO_CONTEXT, vocabSize, width: 128, layers: 2, heads: 4 },
  });
}
