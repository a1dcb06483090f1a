/**
 * A small global contrastive loss shared by gather_grad.test.ts and its worker: W * B random feature rows
 * (the same in every process, from a fixed seed), a learnable projection P and log temperature s; rank r holds
 * rows [r * B, (r + 1) * B). `gather` turns local (B, D) features into the global (W * B, D) ones: the
 * identity for one process holding everything, the process group's all-gather otherwise. Importing this file
 * does nothing.
 */
import { Generator, randn, tensor, type Tensor } from "../../src/engine/index.js";
import { clipLoss } from "../../src/models/clip/index.js";

export const B = 4;
export const D = 6;

export interface CaseResult {
  loss: number;
  /** Gradients of P and s (as the caller leaves them), and of this process's feature rows. */
  gradP: number[];
  gradS: number[];
  gradImages: number[];
  gradTexts: number[];
}

/** Runs forward and backward for the rows [first, first + rows) of the W * B global batch. */
export function contrastiveCase(world: number, first: number, rows: number, gather: (t: Tensor) => Tensor, after: (p: Tensor, s: Tensor) => void = () => {}): CaseResult {
  const gen = new Generator(1234);
  const images = randn([world * B, D], { generator: gen });
  const texts = randn([world * B, D], { generator: gen });
  const p = randn([D, D], { generator: gen }).mul(0.5).requiresGrad_();
  const s = tensor(Math.log(1 / 0.07)).requiresGrad_();
  const xi = images.narrow(0, first, rows).clone().requiresGrad_();
  const xt = texts.narrow(0, first, rows).clone().requiresGrad_();
  const fi = xi.matmul(p).normalize({ dim: -1 }); // (rows, D)
  const ft = xt.matmul(p.t()).normalize({ dim: -1 }); // (rows, D)
  const loss = clipLoss(gather(fi), gather(ft), s);
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
