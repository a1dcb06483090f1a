/**
 * One AdamW step for many parameters in one native call (native/src/optim_fused.cc): a single pass over each
 * parameter's memory instead of torch's nine elementwise ops per parameter. The optimizer (src/optim/adamw.ts)
 * owns the state and the step counts; this only does the arithmetic, in place, without autograd.
 */
import { N } from "./native.js";
import type { Tensor } from "./tensor_class.js";

export interface AdamWKernelParam {
  param: Tensor;
  grad: Tensor;
  expAvg: Tensor;
  expAvgSq: Tensor;
  /** amsgrad's running maximum of expAvgSq. */
  maxExpAvgSq?: Tensor;
  /** This parameter's step count after this step (1 on its first). */
  step: number;
}

export interface AdamWKernelOptions {
  lr: number;
  weightDecay: number;
  betas: readonly [number, number];
  eps: number;
  amsgrad: boolean;
  maximize: boolean;
}

/**
 * p *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps),
 * with bias corrections bc = 1 - beta^step computed in double, as torch.optim.AdamW does. CUDA tensors go to
 * torch's fused AdamW kernel where libtorch has it (>= 2.1), which computes the corrections from the step counts.
 */
export function adamwKernelStep(items: readonly AdamWKernelParam[], o: AdamWKernelOptions): void {
  if (items.length === 0) return;
  const [beta1, beta2] = o.betas;
  N.adamwStep(
    items.map((x) => x.param.h),
    items.map((x) => x.grad.h),
    items.map((x) => x.expAvg.h),
    items.map((x) => x.expAvgSq.h),
    o.amsgrad ? items.map((x) => x.maxExpAvgSq!.h) : null,
    items.map((x) => o.lr / (1 - beta1 ** x.step)),
    items.map((x) => Math.sqrt(1 - beta2 ** x.step)),
    o.lr, o.weightDecay, beta1, beta2, o.eps, o.maximize,
    items.map((x) => x.step),
  );
}
