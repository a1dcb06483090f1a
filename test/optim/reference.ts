/** Plain-JS f64 optimizer updates, written from the published torch.optim algorithms, and test gradients. */
import { tensor, type Tensor } from "../../src/engine/index.js";

/** A deterministic gradient for parameter `id` at `step`: varied signs and magnitudes. */
export const gradValues = (id: number, step: number, n: number): number[] =>
  Array.from({ length: n }, (_, i) => Math.sin(1 + step * 7.3 + i * 1.1 + id * 3) * (1 + (i % 3)));

/** Sets p.grad to gradValues(id, step) (the engine keeps its own reference). */
export function setGrad(p: Tensor, id: number, step: number): number[] {
  const g = gradValues(id, step, p.numel);
  const t = tensor(g, { dtype: p.dtype, shape: p.shape });
  p.grad = t;
  t.dispose();
  return g;
}

export interface AdamWRefOptions {
  lr: number; beta1: number; beta2: number; eps: number; wd: number; amsgrad?: boolean; maximize?: boolean;
}

export class AdamWRef {
  m: number[]; v: number[]; vmax: number[]; t = 0;
  constructor(public p: number[], readonly o: AdamWRefOptions) {
    this.m = p.map(() => 0);
    this.v = p.map(() => 0);
    this.vmax = p.map(() => 0);
  }

  step(grad: number[]): void {
    const { lr, beta1, beta2, eps, wd } = this.o;
    this.t += 1;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    this.p = this.p.map((x, i) => {
      const g = this.o.maximize ? -grad[i]! : grad[i]!;
      const decayed = x * (1 - lr * wd);
      this.m[i] = beta1 * this.m[i]! + (1 - beta1) * g;
      this.v[i] = beta2 * this.v[i]! + (1 - beta2) * g * g;
      this.vmax[i] = Math.max(this.vmax[i]!, this.v[i]!);
      const second = this.o.amsgrad ? this.vmax[i]! : this.v[i]!;
      return decayed - (lr / bc1) * this.m[i]! / (Math.sqrt(second) / Math.sqrt(bc2) + eps);
    });
  }
}

export interface SGDRefOptions {
  lr: number; momentum?: number; dampening?: number; wd?: number; nesterov?: boolean;
}

export class SGDRef {
  buf: number[] | undefined;
  constructor(public p: number[], readonly o: SGDRefOptions) {}

  step(grad: number[]): void {
    const { lr, momentum = 0, dampening = 0, wd = 0, nesterov = false } = this.o;
    let d = grad.map((g, i) => g + wd * this.p[i]!);
    if (momentum !== 0) {
      this.buf = this.buf === undefined ? [...d] : this.buf.map((b, i) => momentum * b + (1 - dampening) * d[i]!);
      const buf = this.buf;
      d = nesterov ? d.map((x, i) => x + momentum * buf[i]!) : [...buf];
    }
    this.p = this.p.map((x, i) => x - lr * d[i]!);
  }
}

export const maxRelDiff = (a: ArrayLike<number>, b: readonly number[]): number => {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1e-300, Math.abs(b[i]!)));
  return m;
};
