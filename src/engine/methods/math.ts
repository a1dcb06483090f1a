/** Elementwise math and comparisons; second operands may be tensors or numbers (broadcasting as PyTorch). */
import { N } from "../native.js";
import type { NativeHandle } from "../native_types.js";
import { Tensor, wrap } from "../tensor_class.js";
import { install, type Operand, operand } from "./install.js";

declare module "../tensor_class.js" {
  interface Tensor {
    /** this + alpha * other */
    add(other: Operand, alpha?: number): Tensor;
    /** this - alpha * other */
    sub(other: Operand, alpha?: number): Tensor;
    /** other - alpha * this (e.g. `x.rsub(1)` is 1 - x) */
    rsub(other: Operand, alpha?: number): Tensor;
    mul(other: Operand): Tensor;
    div(other: Operand, roundingMode?: "trunc" | "floor"): Tensor;
    pow(exponent: Operand): Tensor;
    remainder(other: Operand): Tensor;
    neg(): Tensor; exp(): Tensor; log(): Tensor; log2(): Tensor; log1p(): Tensor; expm1(): Tensor;
    sqrt(): Tensor; rsqrt(): Tensor; abs(): Tensor; sigmoid(): Tensor; tanh(): Tensor; relu(): Tensor;
    sign(): Tensor; reciprocal(): Tensor; sin(): Tensor; cos(): Tensor; floor(): Tensor; ceil(): Tensor;
    round(): Tensor; trunc(): Tensor; erf(): Tensor; square(): Tensor; silu(): Tensor; logSigmoid(): Tensor;
    isnan(): Tensor; isinf(): Tensor; isfinite(): Tensor; logicalNot(): Tensor;
    eq(other: Operand): Tensor; ne(other: Operand): Tensor; lt(other: Operand): Tensor;
    le(other: Operand): Tensor; gt(other: Operand): Tensor; ge(other: Operand): Tensor;
    maximum(other: Tensor): Tensor; minimum(other: Tensor): Tensor;
    logicalAnd(other: Tensor): Tensor; logicalOr(other: Tensor): Tensor; logicalXor(other: Tensor): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    /** this + value * t1 * t2 */
    addcmul(t1: Tensor, t2: Tensor, value?: number): Tensor;
    /** this + value * t1 / t2 */
    addcdiv(t1: Tensor, t2: Tensor, value?: number): Tensor;
    /** this + weight * (end - this) */
    lerp(end: Tensor, weight: Operand): Tensor;
    // in place: each returns `this`
    add_(other: Operand, alpha?: number): this;
    sub_(other: Operand, alpha?: number): this;
    mul_(other: Operand): this;
    div_(other: Operand): this;
    pow_(exponent: Operand): this;
    addcmul_(t1: Tensor, t2: Tensor, value?: number): this;
    addcdiv_(t1: Tensor, t2: Tensor, value?: number): this;
    lerp_(end: Tensor, weight: Operand): this;
    copy_(src: Tensor): this;
    fill_(value: Operand | boolean): this;
    zero_(): this;
    clamp_(min?: number | null, max?: number | null): this;
    sqrt_(): this; exp_(): this; neg_(): this; abs_(): this; relu_(): this; sigmoid_(): this; reciprocal_(): this;
  }
}

type Unary = (h: NativeHandle) => NativeHandle;
const un = (f: Unary) =>
  function (this: Tensor): Tensor {
    return wrap(f(this.h));
  };
type Bin = (a: NativeHandle, b: NativeHandle | number) => NativeHandle;
const bin = (f: Bin) =>
  function (this: Tensor, o: Operand): Tensor {
    return wrap(f(this.h, operand(o)));
  };
const inplace = (f: (h: NativeHandle) => void) =>
  function <T extends Tensor>(this: T): T {
    f(this.h);
    return this;
  };

install({
  add(o, alpha = 1) { return wrap(N.add(this.h, operand(o), alpha)); },
  sub(o, alpha = 1) { return wrap(N.sub(this.h, operand(o), alpha)); },
  rsub(o, alpha = 1) { return wrap(N.rsub(this.h, operand(o), alpha)); },
  mul: bin(N.mul), pow: bin(N.pow), remainder: bin(N.remainder),
  div(o, mode?) { return wrap(N.div(this.h, operand(o), mode ?? null)); },
  neg: un(N.neg), exp: un(N.exp), log: un(N.log), log2: un(N.log2), log1p: un(N.log1p), expm1: un(N.expm1),
  sqrt: un(N.sqrt), rsqrt: un(N.rsqrt), abs: un(N.abs), sigmoid: un(N.sigmoid), tanh: un(N.tanh),
  relu: un(N.relu), sign: un(N.sign), reciprocal: un(N.reciprocal), sin: un(N.sin), cos: un(N.cos),
  floor: un(N.floor), ceil: un(N.ceil), round: un(N.round), trunc: un(N.trunc), erf: un(N.erf),
  square: un(N.square), silu: un(N.silu), logSigmoid: un(N.logSigmoid), isnan: un(N.isnan),
  isinf: un(N.isinf), isfinite: un(N.isfinite), logicalNot: un(N.logicalNot),
  eq: bin(N.eq), ne: bin(N.ne), lt: bin(N.lt), le: bin(N.le), gt: bin(N.gt), ge: bin(N.ge),
  maximum(o) { return wrap(N.maximum(this.h, o.h)); },
  minimum(o) { return wrap(N.minimum(this.h, o.h)); },
  logicalAnd(o) { return wrap(N.logicalAnd(this.h, o.h)); },
  logicalOr(o) { return wrap(N.logicalOr(this.h, o.h)); },
  logicalXor(o) { return wrap(N.logicalXor(this.h, o.h)); },
  clamp(min?, max?) { return wrap(N.clamp(this.h, min ?? null, max ?? null)); },
  addcmul(t1, t2, value = 1) { return wrap(N.addcmul(this.h, t1.h, t2.h, value)); },
  addcdiv(t1, t2, value = 1) { return wrap(N.addcdiv(this.h, t1.h, t2.h, value)); },
  lerp(end, weight) { return wrap(N.lerp(this.h, end.h, operand(weight))); },
  add_(o, alpha = 1) { N.add_(this.h, operand(o), alpha); return this; },
  sub_(o, alpha = 1) { N.sub_(this.h, operand(o), alpha); return this; },
  mul_(o) { N.mul_(this.h, operand(o)); return this; },
  div_(o) { N.div_(this.h, operand(o)); return this; },
  pow_(o) { N.pow_(this.h, operand(o)); return this; },
  addcmul_(t1, t2, value = 1) { N.addcmul_(this.h, t1.h, t2.h, value); return this; },
  addcdiv_(t1, t2, value = 1) { N.addcdiv_(this.h, t1.h, t2.h, value); return this; },
  lerp_(end, weight) { N.lerp_(this.h, end.h, operand(weight)); return this; },
  copy_(src) { N.copy_(this.h, src.h); return this; },
  fill_(v) { N.fill_(this.h, typeof v === "object" ? v.h : v); return this; },
  clamp_(min?, max?) { N.clamp_(this.h, min ?? null, max ?? null); return this; },
  zero_: inplace(N.zero_), sqrt_: inplace(N.sqrt_), exp_: inplace(N.exp_), neg_: inplace(N.neg_),
  abs_: inplace(N.abs_), relu_: inplace(N.relu_), sigmoid_: inplace(N.sigmoid_), reciprocal_: inplace(N.reciprocal_),
});
