/**
 * The two halves of a CLIP training step's forward pass, kept apart so that gradient accumulation can run
 * them separately: the towers (images and texts → normalised features) and the loss (features of every rank →
 * one scalar). Both are plain functions of tensors; call them inside tidy().
 */
import { autocast, type Tensor } from "../../engine/index.js";
import { clipLoss, multiTextClipLoss, type CLIP } from "../../models/clip/index.js";
import type { TrainContext } from "./context.js";
import type { PhaseTimer } from "./profile.js";

export interface Features {
  /** (B, D) L2-normalised float32 image features. */
  image: Tensor;
  /** (T * B, D) L2-normalised float32 text features, text batch k at rows [k * B, (k + 1) * B). */
  text: Tensor;
  /** Text batches per image: 1, or K + 1 for laclip-mt. */
  textsPerImage: number;
}

export interface TowerOptions {
  /** Run the towers under bf16 autocast (features come back float32 either way). */
  bf16: boolean;
  device: "cpu" | "cuda";
  timer?: PhaseTimer;
}

/**
 * images (B, 3, S, S) f32 and texts (B, L) or (T, B, L) i64 → normalised features. The T text batches go
 * through the text tower in one call (one pass over larger matrices). Features are cast to float32 before
 * normalising: the loss is computed in float32 whatever the towers ran in.
 */
export function towerFeatures(model: CLIP, images: Tensor, texts: Tensor, o: TowerOptions): Features {
  const textsPerImage = texts.ndim === 3 ? texts.shape[0]! : 1;
  const flat = texts.ndim === 3 ? texts.reshape(-1, texts.shape[2]!) : texts; // (T * B, L)
  const run = <T>(phase: string, fn: () => T): T => {
    const wrapped = o.bf16 ? () => autocast({ dtype: "bf16", device: o.device }, fn) : fn;
    return o.timer ? o.timer.time(phase, wrapped) : wrapped();
  };
  const image = run("forward_vision", () => model.encodeImage(images)); // (B, D)
  const text = run("forward_text", () => model.encodeText(flat)); // (T * B, D)
  const norm = () => ({ image: image.to("f32").normalize({ dim: -1 }), text: text.to("f32").normalize({ dim: -1 }) });
  const n = o.timer ? o.timer.time("normalize", norm) : norm();
  return { ...n, textsPerImage };
}

/** Text batch k of `text` ((T * B, D) → (B, D)), a view. */
export function textBatch(text: Tensor, textsPerImage: number, k: number): Tensor {
  const b = text.shape[0]! / textsPerImage;
  return text.narrow(0, k * b, b);
}

/**
 * The loss every rank computes: features all-gathered (with gradient) from every rank, then the symmetric
 * CLIP loss, or for laclip-mt the mean of the CLIP losses of the T text batches against the same images.
 */
export function contrastiveLoss(ctx: TrainContext, image: Tensor, texts: readonly Tensor[], logitScale: Tensor): Tensor {
  const allImages = ctx.allGatherWithGrad(image); // (W * B, D)
  const allTexts = texts.map((t) => ctx.allGatherWithGrad(t)); // T x (W * B, D)
  return allTexts.length === 1 ? clipLoss(allImages, allTexts[0]!, logitScale) : multiTextClipLoss(allImages, allTexts, logitScale);
}
