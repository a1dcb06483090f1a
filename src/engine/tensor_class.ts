/**
 * The Tensor class: a handle to one libtorch tensor plus cached metadata. This file holds its life cycle,
 * metadata, host copies and autograd state; the op methods are installed by methods/*.ts (import Tensor from
 * tensor.ts or index.ts, which load them).
 */
import { numel, type HostTensor } from "../io/host_tensor.js";
import { checkDevice, type Device } from "./device.js";
import { codeOf, dtypeOfCode, viewAs, type DType, type TypedArrayOf } from "./dtype.js";
import { DisposedTensorError } from "./errors/disposed_tensor_error.js";
import { EngineError } from "./errors/engine_error.js";
import { registerTensorClass, track, untrack } from "./memory.js";
import { N } from "./native.js";
import type { NativeHandle } from "./native_types.js";

/** Nested JS arrays as `toArray()` returns them (bool tensors give 0/1). */
export type NestedArray = number | NestedArray[];

export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself (for higher-order gradients). */
  createGraph?: boolean;
}

export class Tensor {
  /** The native handle. Engine-internal: other code should use the methods. */
  readonly h: NativeHandle;
  #disposed = false;
  /** A `.grad` view owned by its parameter: dispose() leaves it to the parameter. */
  readonly #borrowed: boolean;
  #shape: readonly number[] | undefined;
  #dtype: DType | undefined;
  #device: Device | undefined;
  #grad: Tensor | undefined;

  constructor(h: NativeHandle, borrowed = false) {
    this.h = h;
    this.#borrowed = borrowed;
    if (!borrowed) track(this, h);
  }

  #live(op: string): void {
    if (this.#disposed) throw new DisposedTensorError(op);
  }

  /** Frees the tensor's memory now. Idempotent; later use throws DisposedTensorError. */
  dispose(): void {
    if (this.#disposed || this.#borrowed) return;
    this.#disposed = true;
    if (this.#grad !== undefined) this.#dropGrad();
    N.dispose(this.h);
    untrack(this);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  get isDisposed(): boolean {
    return this.#disposed || N.isDisposed(this.h);
  }

  get shape(): readonly number[] {
    this.#live("shape");
    return (this.#shape ??= N.shape(this.h));
  }

  get dtype(): DType {
    this.#live("dtype");
    return (this.#dtype ??= dtypeOfCode(N.dtype(this.h)));
  }

  get device(): Device {
    this.#live("device");
    return (this.#device ??= N.device(this.h) as Device);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get numel(): number {
    return numel(this.shape);
  }

  /** Size of dimension `dim` (negative counts from the end). */
  size(dim: number): number {
    const s = this.shape;
    const d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length) throw new RangeError(`size(${dim}): tensor has ${s.length} dimensions`);
    return s[d]!;
  }

  get strides(): number[] {
    return N.strides(this.h);
  }

  get isContiguous(): boolean {
    return N.isContiguous(this.h);
  }

  // ---- host copies --------------------------------------------------------------------------------------

  /** The elements as a typed array (one copy); f16/bf16 are widened to Float32Array, bool gives 0/1 bytes. */
  toTypedArray(): TypedArrayOf[DType] {
    this.#live("toTypedArray");
    const d = this.dtype;
    if (d === "f16" || d === "bf16") return new Float32Array(N.toBytes(this.h, codeOf("f32", "toTypedArray")));
    return viewAs(d, N.toBytes(this.h, null));
  }

  /** Nested arrays of numbers (i64 converted with Number()). */
  toArray(): NestedArray {
    this.#live("toArray");
    const flat = this.toTypedArray();
    const shape = this.shape;
    const values = flat instanceof BigInt64Array ? Array.from(flat, Number) : Array.from(flat as ArrayLike<number>);
    if (shape.length === 0) return values[0]!;
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = shape[dim]!;
      if (dim === shape.length - 1) return values.slice(offset, offset + n);
      const stride = numel(shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** The value of a one-element tensor. */
  item(): number {
    this.#live("item");
    return N.item(this.h);
  }

  /** Little-endian C-contiguous bytes on the host (one copy). */
  toHost(): HostTensor {
    this.#live("toHost");
    const dtype = this.dtype;
    const data = new Uint8Array(N.toBytes(this.h, null));
    return { dtype, shape: [...this.shape], data };
  }

  toString(): string {
    if (this.#disposed) return "Tensor(disposed)";
    return `Tensor(shape=[${this.shape.join(", ")}], dtype=${this.dtype}, device=${this.device})`;
  }

  // ---- conversions --------------------------------------------------------------------------------------

  /** Converts dtype and/or device; returns a new handle (sharing storage when nothing changes). */
  to(target: DType | Device | { dtype?: DType; device?: Device; copy?: boolean }): Tensor {
    const t = typeof target === "string" ? (isDeviceName(target) ? { device: target } : { dtype: target as DType }) : target;
    const dev = checkDevice(t.device, "to");
    return new Tensor(N.to(this.h, t.dtype === undefined ? null : codeOf(t.dtype, "to"), dev, t.copy ?? false));
  }

  clone(): Tensor {
    return new Tensor(N.clone(this.h));
  }

  contiguous(): Tensor {
    return new Tensor(N.contiguous(this.h));
  }

  // ---- autograd -----------------------------------------------------------------------------------------

  get requiresGrad(): boolean {
    return N.requiresGrad(this.h);
  }

  set requiresGrad(value: boolean) {
    N.setRequiresGrad(this.h, value);
  }

  /** Sets requiresGrad and returns this (for chaining at creation). */
  requiresGrad_(value = true): this {
    N.setRequiresGrad(this.h, value);
    return this;
  }

  get isLeaf(): boolean {
    return N.isLeaf(this.h);
  }

  get hasGradFn(): boolean {
    return N.hasGradFn(this.h);
  }

  /**
   * The accumulated gradient, or undefined. The returned tensor belongs to this tensor: reading `.grad` again
   * returns the same object (re-pointed at the current gradient), dispose() on it does nothing, and it is
   * released when the gradient is cleared (`grad = undefined`, zeroGrad()) or this tensor is disposed.
   */
  get grad(): Tensor | undefined {
    this.#live("grad");
    const cached = this.#grad;
    const r = N.grad(this.h, cached?.h ?? null);
    if (r === undefined) {
      if (cached !== undefined) {
        cached.#disposed = true;
        this.#grad = undefined;
      }
      return undefined;
    }
    if (cached !== undefined) return cached;
    return (this.#grad = new Tensor(r, true));
  }

  set grad(g: Tensor | undefined) {
    N.setGrad(this.h, g === undefined ? null : g.h);
    if (g === undefined && this.#grad !== undefined) this.#dropGrad();
  }

  #dropGrad(): void {
    const g = this.#grad!;
    g.#disposed = true;
    N.dispose(g.h);
    this.#grad = undefined;
  }

  /** Clears the gradient (default, like set_to_none=True) or fills it with zeros. */
  zeroGrad(setToNone = true): void {
    if (setToNone) this.grad = undefined;
    else this.grad?.zero_();
  }

  retainGrad(): this {
    N.retainGrad(this.h);
    return this;
  }

  detach(): Tensor {
    return new Tensor(N.detach(this.h));
  }

  /** Back-propagates from this tensor (a scalar unless `gradient` is given); gradients accumulate in `.grad`. */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    // libtorch would silently sum a gradient that merely broadcasts to the output; PyTorch refuses it, so do we.
    if (gradient !== undefined && gradient.shape.join() !== this.shape.join()) {
      throw new EngineError("backward", "argument", `gradient shape [${gradient.shape.join(", ")}] must equal the output shape [${this.shape.join(", ")}]`);
    }
    N.backward(this.h, gradient?.h ?? null, options.retainGraph ?? false, options.createGraph ?? false);
  }
}

function isDeviceName(s: string): s is Device {
  return s === "cpu" || s.startsWith("cuda");
}

registerTensorClass(Tensor);

/** Wraps a fresh native handle (engine-internal). */
export const wrap = (h: NativeHandle): Tensor => new Tensor(h);

