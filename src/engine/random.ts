/**
 * Seeded random numbers. `manualSeed` seeds the global generator exactly as torch.manual_seed does (same
 * streams as PyTorch on the CPU); a `Generator` is an independent stream for code that must not disturb it.
 */
import { checkDevice, type Device } from "./device.js";
import { codeOf, type DType } from "./dtype.js";
import { N } from "./native.js";
import type { NativeGenerator } from "./native_types.js";
import { Tensor, wrap } from "./tensor_class.js";
import { sizes } from "./methods/install.js";

export class Generator {
  /** Engine-internal handle. */
  readonly native: NativeGenerator;

  constructor(seed: number) {
    this.native = N.generatorNew(seed);
  }

  manualSeed(seed: number): this {
    N.generatorSetSeed(this.native, seed);
    return this;
  }
}

export interface RandomOptions {
  dtype?: DType;
  device?: Device;
  generator?: Generator;
  requiresGrad?: boolean;
}

export function manualSeed(seed: number): void {
  N.manualSeed(seed);
}

function finish(t: Tensor, o: RandomOptions): Tensor {
  if (o.requiresGrad) t.requiresGrad = true;
  return t;
}

const gen = (o: RandomOptions) => o.generator?.native ?? null;

/** Standard normal samples. */
export function randn(shape: readonly number[], o: RandomOptions = {}): Tensor {
  return finish(wrap(N.randn(sizes([shape]), codeOf(o.dtype ?? "f32", "randn"), checkDevice(o.device, "randn"), gen(o))), o);
}

/** Uniform samples in [0, 1). */
export function rand(shape: readonly number[], o: RandomOptions = {}): Tensor {
  return finish(wrap(N.rand(sizes([shape]), codeOf(o.dtype ?? "f32", "rand"), checkDevice(o.device, "rand"), gen(o))), o);
}

/** Integers uniform in [low, high), i64 by default. */
export function randint(low: number, high: number, shape: readonly number[], o: RandomOptions = {}): Tensor {
  const d = checkDevice(o.device, "randint");
  return wrap(N.randint(low, high, sizes([shape]), codeOf(o.dtype ?? "i64", "randint"), d, gen(o)));
}

/** A random permutation of 0..n-1 (i64 by default). */
export function randperm(n: number, o: RandomOptions = {}): Tensor {
  return wrap(N.randperm(n, codeOf(o.dtype ?? "i64", "randperm"), checkDevice(o.device, "randperm"), gen(o)));
}

declare module "./tensor_class.js" {
  interface Tensor {
    /** Fills in place with normal samples (initialisation; runs without recording autograd history). */
    normal_(mean?: number, std?: number, generator?: Generator): this;
    uniform_(from?: number, to?: number, generator?: Generator): this;
    bernoulli_(p: number, generator?: Generator): this;
  }
}

Object.defineProperties(Tensor.prototype, {
  normal_: {
    value(this: Tensor, mean = 0, std = 1, g?: Generator) {
      N.normal_(this.h, mean, std, g?.native ?? null);
      return this;
    },
  },
  uniform_: {
    value(this: Tensor, from = 0, to = 1, g?: Generator) {
      N.uniform_(this.h, from, to, g?.native ?? null);
      return this;
    },
  },
  bernoulli_: {
    value(this: Tensor, p: number, g?: Generator) {
      N.bernoulli_(this.h, p, g?.native ?? null);
      return this;
    },
  },
});
