/** Reductions. `dim` is a number, a list of numbers, or omitted for all dimensions. */
import { N } from "../native.js";
import { Tensor, wrap } from "../tensor_class.js";
import { dimList, install } from "./install.js";
import { codeOf, type DType } from "../dtype.js";
import type { NativeHandle } from "../native_types.js";

/** Values and their positions, as max/min/topk/sort return them. */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

declare module "../tensor_class.js" {
  interface Tensor {
    sum(dim?: number | readonly number[], keepdim?: boolean, dtype?: DType): Tensor;
    mean(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    prod(dim?: number, keepdim?: boolean): Tensor;
    amax(dim: number | readonly number[], keepdim?: boolean): Tensor;
    amin(dim: number | readonly number[], keepdim?: boolean): Tensor;
    /** The largest element (a 0-d tensor) or, with `dim`, the largest values and their indices along it. */
    max(): Tensor;
    max(dim: number, keepdim?: boolean): ValuesIndices;
    min(): Tensor;
    min(dim: number, keepdim?: boolean): ValuesIndices;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): ValuesIndices;
    sort(dim?: number, descending?: boolean): ValuesIndices;
    /** p-norm over `dim` (all elements when omitted). */
    norm(p?: number, dim?: number | readonly number[], keepdim?: boolean): Tensor;
    logsumexp(dim: number | readonly number[], keepdim?: boolean): Tensor;
    /** Variance with Bessel's correction by default (correction = 1), as torch.var. */
    var(dim?: number | readonly number[], options?: { correction?: number; keepdim?: boolean }): Tensor;
    std(dim?: number | readonly number[], options?: { correction?: number; keepdim?: boolean }): Tensor;
    cumsum(dim: number): Tensor;
    all(): Tensor;
    any(): Tensor;
    allclose(other: Tensor, rtol?: number, atol?: number): boolean;
  }
}

const pair = ([v, i]: [NativeHandle, NativeHandle]): ValuesIndices => ({
  values: wrap(v),
  indices: wrap(i),
});

install({
  sum(dim?, keepdim = false, dtype?) {
    return wrap(N.sum(this.h, dimList(dim), keepdim, dtype === undefined ? null : codeOf(dtype, "sum")));
  },
  mean(dim?, keepdim = false) { return wrap(N.mean(this.h, dimList(dim), keepdim)); },
  prod(dim?, keepdim = false) { return wrap(N.prod(this.h, dim ?? null, keepdim)); },
  amax(dim, keepdim = false) { return wrap(N.amax(this.h, dimList(dim)!, keepdim)); },
  amin(dim, keepdim = false) { return wrap(N.amin(this.h, dimList(dim)!, keepdim)); },
  max(dim?: number, keepdim: boolean = false): never {
    return (dim === undefined ? wrap(N.maxAll(this.h)) : pair(N.maxDim(this.h, dim, keepdim))) as never;
  },
  min(dim?: number, keepdim: boolean = false): never {
    return (dim === undefined ? wrap(N.minAll(this.h)) : pair(N.minDim(this.h, dim, keepdim))) as never;
  },
  argmax(dim?, keepdim = false) { return wrap(N.argmax(this.h, dim ?? null, keepdim)); },
  argmin(dim?, keepdim = false) { return wrap(N.argmin(this.h, dim ?? null, keepdim)); },
  topk(k, dim = -1, largest = true, sorted = true) { return pair(N.topk(this.h, k, dim, largest, sorted)); },
  sort(dim = -1, descending = false) { return pair(N.sort(this.h, dim, descending)); },
  norm(p = 2, dim?, keepdim = false) { return wrap(N.norm(this.h, p, dimList(dim), keepdim)); },
  logsumexp(dim, keepdim = false) { return wrap(N.logsumexp(this.h, dimList(dim)!, keepdim)); },
  var(dim?, o = {}) { return wrap(N.var(this.h, dimList(dim), o.correction ?? 1, o.keepdim ?? false)); },
  std(dim?, o = {}) { return wrap(N.std(this.h, dimList(dim), o.correction ?? 1, o.keepdim ?? false)); },
  cumsum(dim) { return wrap(N.cumsum(this.h, dim)); },
  all() { return wrap(N.all(this.h)); },
  any() { return wrap(N.any(this.h)); },
  allclose(other, rtol = 1e-5, atol = 1e-8) { return N.allclose(this.h, other.h, rtol, atol); },
});
