/**
 * CLIP's contrastive losses as pure functions of features and the log temperature, so that the trainer can
 * pass features all-gathered across processes (with their gradient) instead of one process's batch.
 * Features must already be L2-normalised (CLIP.forward returns them so); `logitScale` is the learnable
 * log temperature (a 0-d tensor), exponentiated here as CLIP does.
 */
import { arange, crossEntropy, tidy, type Tensor } from "../../engine/index.js";
import { ConfigError } from "../../errors/config_error.js";

export interface ClipLogits {
  /** (N images, M texts): exp(logitScale) * cosine similarity. */
  logitsPerImage: Tensor;
  /** (M, N): its transpose (a view). */
  logitsPerText: Tensor;
}

export function clipLogits(imageFeatures: Tensor, textFeatures: Tensor, logitScale: Tensor): ClipLogits {
  return tidy(() => {
    const logitsPerImage = imageFeatures.matmul(textFeatures.t()).mul(logitScale.exp()); // (N, M)
    return { logitsPerImage, logitsPerText: logitsPerImage.t() }; // (M, N)
  });
}

function checkPairs(imageFeatures: Tensor, textFeatures: Tensor, what: string): void {
  const [n, d] = imageFeatures.shape;
  const [m, e] = textFeatures.shape;
  if (imageFeatures.ndim !== 2 || textFeatures.ndim !== 2 || n !== m || d !== e) {
    throw new ConfigError(
      `${what}: image features [${imageFeatures.shape.join(", ")}] and text features [${textFeatures.shape.join(", ")}] must both be (N, D) with the same N and D; row i of each is a pair`,
      what,
    );
  }
}

/** (CE(logitsPerImage, i) + CE(logitsPerText, i)) / 2 for square logits whose diagonal holds the pairs. */
export function clipLossFromLogits(logitsPerImage: Tensor): Tensor {
  return tidy(() => {
    const labels = arange(logitsPerImage.shape[0]!, undefined, 1, { device: logitsPerImage.device }); // (N,)
    return crossEntropy(logitsPerImage, labels).add(crossEntropy(logitsPerImage.t(), labels)).mul(0.5);
  });
}

/**
 * The symmetric CLIP loss: the mean of cross-entropy over image->text logits and text->image logits, the
 * matching pair of row i being column i.
 */
export function clipLoss(imageFeatures: Tensor, textFeatures: Tensor, logitScale: Tensor): Tensor {
  checkPairs(imageFeatures, textFeatures, "clipLoss");
  return tidy(() => clipLossFromLogits(clipLogits(imageFeatures, textFeatures, logitScale).logitsPerImage));
}

/**
 * LaCLIP-MT: each image against every one of its K+1 texts; the mean of the CLIP losses of the K+1 text
 * batches against the same images. `textFeatures[k]` row i is the k-th text of image i.
 */
export function multiTextClipLoss(imageFeatures: Tensor, textFeatures: readonly Tensor[], logitScale: Tensor): Tensor {
  if (textFeatures.length === 0) throw new ConfigError("multiTextClipLoss needs at least one batch of text features", "textFeatures");
  for (const t of textFeatures) checkPairs(imageFeatures, t, "multiTextClipLoss");
  return tidy(() => {
    let sum = clipLoss(imageFeatures, textFeatures[0]!, logitScale);
    for (let k = 1; k < textFeatures.length; k++) sum = sum.add(clipLoss(imageFeatures, textFeatures[k]!, logitScale));
    return sum.div(textFeatures.length);
  });
}
