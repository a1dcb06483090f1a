/** Linear-algebra and activation methods; multi-input NN ops (linear, conv2d, losses...) are in functional.ts. */
import { codeOf, type DType } from "../dtype.js";
import { N } from "../native.js";
import type { Generator } from "../random.js";
import { Tensor, wrap } from "../tensor_class.js";
import { install } from "./install.js";

declare module "../tensor_class.js" {
  interface Tensor {
    /** torch.matmul: broadcasting batched matrix product. */
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    outer(other: Tensor): Tensor;
    softmax(dim: number, dtype?: DType): Tensor;
    logSoftmax(dim: number, dtype?: DType): Tensor;
    /** GELU, exact (erf) by default or the tanh approximation. */
    gelu(approximate?: "none" | "tanh"): Tensor;
    /** x * sigmoid(1.702 x), one autograd node with a hand-written backward (native/src/custom_functions.cc). */
    quickGelu(): Tensor;
    /** x / max(||x||_p, eps) along dim (torch.nn.functional.normalize). */
    normalize(options?: { p?: number; dim?: number; eps?: number }): Tensor;
    /** Zeroes elements with probability p and scales the rest by 1/(1-p) when `train`; identity otherwise. */
    dropout(p: number, train: boolean, generator?: Generator): Tensor;
  }
}

install({
  matmul(o) { return wrap(N.matmul(this.h, o.h)); },
  mm(o) { return wrap(N.mm(this.h, o.h)); },
  bmm(o) { return wrap(N.bmm(this.h, o.h)); },
  outer(o) { return wrap(N.outer(this.h, o.h)); },
  softmax(dim, dtype?) { return wrap(N.softmax(this.h, dim, dtype === undefined ? null : codeOf(dtype, "softmax"))); },
  logSoftmax(dim, dtype?) {
    return wrap(N.logSoftmax(this.h, dim, dtype === undefined ? null : codeOf(dtype, "logSoftmax")));
  },
  gelu(approximate = "none") { return wrap(N.gelu(this.h, approximate)); },
  quickGelu() { return wrap(N.quickGelu(this.h)); },
  normalize(o = {}) { return wrap(N.normalize(this.h, o.p ?? 2, [o.dim ?? -1], o.eps ?? 1e-12)); },
  dropout(p, train, generator?) { return wrap(N.dropout(this.h, p, train, generator?.native ?? null)); },
});

export type { Tensor };
