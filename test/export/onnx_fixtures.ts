/**
 * Tiny CLIP models in every architecture laclip trains, their own outputs, and helpers to run the exported
 * graphs with onnxruntime-web in Node (the wasm backend, single-threaded; nothing is downloaded).
 */
import { fromHost, manualSeed, noGrad, tensor, tidy } from "../../src/engine/index.js";
import { CLIP, type ClipConfigInput } from "../../src/models/clip/index.js";
import type { HostTensor } from "../../src/io/host_tensor.js";

const TEXT = { contextLength: 16, width: 32, layers: 2, heads: 4 };
const VISION = { imageSize: 32, patchSize: 8, width: 48, layers: 2, heads: 4 };

/** laclip (timm ViT, qk-norm, GELU vision, QuickGELU text), a laclip variant with norm_pre and no qk-norm, open_clip with GELU and QuickGELU. */
export function tinyConfigs(vocabSize: number): Record<string, ClipConfigInput> {
  return {
    "laclip qk-norm": { layout: "laclip", embedDim: 24, vision: VISION, text: { ...TEXT, vocabSize } },
    "laclip norm_pre, no qk-norm": { layout: "laclip", embedDim: 24, vision: { ...VISION, qkNorm: false, lnPre: true }, text: { ...TEXT, vocabSize } },
    "open_clip gelu": { layout: "open_clip", embedDim: 24, vision: VISION, text: { ...TEXT, vocabSize } },
    "open_clip quick_gelu": {
      layout: "open_clip", embedDim: 24, vision: { ...VISION, activation: "quick_gelu" }, text: { ...TEXT, vocabSize, activation: "quick_gelu" },
    },
  };
}

/** A model with random weights, and a non-default logit scale so the scale is checked too. */
export function tinyModel(config: ClipConfigInput, seed: number): CLIP {
  manualSeed(seed);
  const model = new CLIP(config);
  model.eval();
  noGrad(() => model.logitScale.fill_(Math.log(30)));
  return model;
}

/** Deterministic pixels in roughly the normalised range, (n, 3, s, s). */
export function pixels(n: number, s: number, seed = 1): Float32Array {
  const out = new Float32Array(n * 3 * s * s);
  let x = seed;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out[i] = (x / 2 ** 31) * 4 - 2;
  }
  return out;
}

export function ids64(rows: number[][]): HostTensor {
  const t = rows[0]!.length;
  const data = new BigInt64Array(rows.length * t);
  rows.forEach((r, i) => r.forEach((v, j) => (data[i * t + j] = BigInt(v))));
  return { dtype: "i64", shape: [rows.length, t], data: new Uint8Array(data.buffer) };
}

export interface OwnOutputs {
  imageEmbeds: Float32Array;
  textEmbeds: Float32Array;
  logitsPerImage: Float32Array;
}

/** laclip's own features (projected, not normalised) and logits. */
export function ownOutputs(model: CLIP, px: Float32Array, nImages: number, ids: HostTensor): OwnOutputs {
  const s = model.config.vision.imageSize;
  return noGrad(() => tidy(() => {
    const images = tensor(px, { shape: [nImages, 3, s, s] });
    const tokens = fromHost(ids);
    const out = model.forward(images, tokens);
    return {
      imageEmbeds: model.encodeImage(images).toTypedArray() as Float32Array,
      textEmbeds: model.encodeText(tokens).toTypedArray() as Float32Array,
      logitsPerImage: out.logitsPerImage.toTypedArray() as Float32Array,
    };
  }));
}

export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
