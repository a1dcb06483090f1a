/**
 * The demo's CLIP: a tiny LaCLIP-layout ViT for emoji a few dozen pixels wide, and a small text tower. It is
 * sized so that both methods train for several epochs in the default budget on two CPU cores; it was chosen
 * once, before comparing methods, and is the same for both. docs/demo.md lists it.
 */
import { resolveClipConfig, type ClipConfig } from "../models/clip/index.js";

/** Tokens per text: emoji names are short (the longest are about 10 words), and rewrites add a few words. */
export const DEMO_CONTEXT = 32;

/**
 * The patch side that gives a grid of about 8 x 8 patches (at 32 px: 4 px patches, 64 patches). A size with no
 * divisor near size / 8 (a prime) gets 1 px patches: it works, at the cost of many more tokens.
 */
export function demoPatchSize(size: number): number {
  let best = 1;
  for (let p = 1; p <= size; p++) {
    if (size % p === 0 && Math.abs(size / p - 8) <= Math.abs(size / best - 8)) best = p;
  }
  return best;
}

export function demoModelConfig(size: number, vocabSize: number): ClipConfig {
  return resolveClipConfig({
    layout: "laclip",
    embedDim: 128,
    vision: { imageSize: size, patchSize: demoPatchSize(size), width: 128, layers: 4, heads: 4 },
    text: { contextLength: DEMO_CONTEXT, vocabSize, width: 128, layers: 3, heads: 4 },
  });
}
