/**
 * A small contrastive loss shared by gather_grad.test.ts and its worker: W * B random feature rows (the same
 * in every process, from a fixed seed), a learnable projection P and log temperature s; rank r holds rows
 * [r * B, (r + 1) * B). `gather` turns local (B, D) features into the global (W * B, D) ones: the identity for
 * one process holding everything, an all-gather otherwise. Two formulations, equal in value for one process:
 * - `global`: every rank computes the CLIP loss of the whole (W*B x W*B) logits matrix (this trainer);
 * - `local`: each rank's own rows as anchors against all columns, (B x W*B), labels offset by its first row
 *   (SLIP/LaCLIP's training code); the global loss is the mean of the ranks' losses.
 * Importing this file does nothing.
 */
import { Generator, arange, crossEntropy, randn, tensor, type Tensor } from "../../src/engine/index.js";
import { clipLoss } from "../../src/models/clip/index.js";

export const B = 4;
export const D = 6;

export type LossKind = "global" | "local";

export interface CaseResult {
  /** This process's loss (for `local`: only its anchors' share). */
  loss: number;
  /** Gradients of P and s (after `after`, e.g. the average over ranks), and of this process's feature rows. */
  gradP: number[];
  gradS: number[];
  gradImages: number[];
  gradTexts: number[];
}

function localLoss(fi: Tensor, ft: Tensor, allImages: Tensor, allTexts: Tensor, s: Tensor, first: number): Tensor {
  const labels = arange(first, first + fi.shape[0]!); // this rank's pairs sit at its own offset
  const perImage = fi.matmul(allTexts.t()).mul(s.exp()); // (B, W * B)
  const perText = ft.matmul(allImages.t()).mul(s.exp()); // (B, W * B)
  return crossEntropy(perImage, labels).add(crossEntropy(perText, labels)).mul(0.5);
}

/** Forward and backward for the rows [first, first + rows) of the W * B global batch. */
export function contrastiveCase(
  kind: LossKind, world: number, first: number, rows: number, gather: (t: Tensor) => Tensor, after: (p: Tensor, s: Tensor) => void = () => {},
): CaseResult {
  const gen = new Generator(1234);
  const images = randn([world * B, D], { generator: gen });
  const texts = randn([world * B, D], { generator: gen });
  const p = randn([D, D], { generator: gen }).mul(0.5).requiresGrad_();
  const s = tensor(Math.log(1 / 0.07)).requiresGrad_();
  const xi = images.narrow(0, first, rows).clone().requiresGrad_();
  const xt = texts.narrow(0, first, rows).clone().requiresGrad_();
  const fi = xi.matmul(p).normalize({ dim: -1 }); // (rows, D)
  const ft = xt.matmul(p.t()).normalize({ dim: -1 }); // (rows, D)
  const loss = kind === "global" ? clipLoss(gather(fi), gather(ft), s) : localLoss(fi, ft, gather(fi), gather(ft), s, first);
  loss.backward();
  after(p, s);
  const flat = (t: Tensor | undefined): number[] => Array.from(t!.toTypedArray() as Float32Array);
  return { loss: loss.item(), gradP: flat(p.grad), gradS: flat(s.grad), gradImages: flat(xi.grad), gradTexts: flat(xt.grad) };
}

/** Largest |a - b| - rtol * |b| over two equal-length lists. */
export function worstDiff(a: readonly number[], b: readonly number[], rtol = 1e-4): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((w, v, i) => Math.max(w, Math.abs(v - b[i]!) - rtol * Math.abs(b[i]!)), 0);
}

/** Cosine of the angle between two vectors. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  const dot = a.reduce((s, v, i) => s + v * b[i]!, 0);
  const norm = (x: readonly number[]): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
  return dot / (norm(a) * norm(b));
}
