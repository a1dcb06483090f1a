/**
 * The base of every layer: parameters, buffers and child modules registered by name, so that
 * `namedParameters()` and `stateDict()` keys are PyTorch's `state_dict` keys (`visual.transformer.resblocks.0.
 * attn.in_proj_weight`). A module owns its tensors: they are exempt from `tidy()` and freed by `dispose()`.
 *
 * Subclasses read their tensors through the registry (`this.param("weight")`, usually behind a getter) rather
 * than keeping their own references, because `to()` swaps in converted tensors.
 */
import { ConfigError } from "../errors/config_error.js";
import type { HostTensor } from "../io/host_tensor.js";
import { isFloating, keep, type DType, type Tensor } from "../engine/index.js";
import { converter, type ToTarget } from "./convert.js";
import { checkName, store } from "./registry.js";
import { loadInto, type LoadResult, type LoadStateDictOptions, type StateDictSource } from "./state_dict.js";

export class Module {
  /** Training mode (dropout active); set by train()/eval(), recursively. */
  training = true;
  readonly #params = new Map<string, Tensor | undefined>();
  readonly #buffers = new Map<string, Tensor | undefined>();
  readonly #nonPersistent = new Set<string>();
  readonly #children = new Map<string, Module>();

  #checkName(name: string, kind: string): void {
    const taken = [this.#params.has(name) && "parameter", this.#buffers.has(name) && "buffer", this.#children.has(name) && "module"];
    checkName(this.constructor.name, name, kind, taken.find((k): k is string => k !== false && k !== kind));
  }

  /** Registers a floating-point leaf as parameter `name` (undefined: absent, as bias=False); the module owns it. */
  registerParameter(name: string, t: Tensor | undefined): Tensor | undefined {
    this.#checkName(name, "parameter");
    if (t !== undefined) {
      if (!isFloating(t.dtype)) throw new ConfigError(`${this.constructor.name}: parameter '${name}' must be floating point, got ${t.dtype}`, name);
      if (t.hasGradFn) throw new ConfigError(`${this.constructor.name}: parameter '${name}' must be a leaf tensor; pass t.detach()`, name);
      keep(t).requiresGrad = true;
    }
    return store(this.#params, name, t);
  }

  /** Registers a buffer (state that is not trained); non-persistent buffers stay out of stateDict(). */
  registerBuffer(name: string, t: Tensor | undefined, options: { persistent?: boolean } = {}): Tensor | undefined {
    this.#checkName(name, "buffer");
    if (t !== undefined) keep(t);
    if (options.persistent ?? true) this.#nonPersistent.delete(name);
    else this.#nonPersistent.add(name);
    return store(this.#buffers, name, t);
  }

  /** Registers a child module under `name`; its tensors' keys get the prefix `name.`. */
  registerModule<M extends Module>(name: string, m: M): M {
    this.#checkName(name, "module");
    this.#children.set(name, m);
    return m;
  }

  /** The parameter `name` of this module (not of children); throws if it is absent. */
  param(name: string): Tensor {
    const t = this.#params.get(name);
    if (t === undefined) throw new ConfigError(`${this.constructor.name} has no parameter '${name}'`, name);
    return t;
  }

  /** The parameter `name`, or undefined when registered as absent. */
  optionalParam(name: string): Tensor | undefined {
    return this.#params.get(name);
  }

  buffer(name: string): Tensor {
    const t = this.#buffers.get(name);
    if (t === undefined) throw new ConfigError(`${this.constructor.name} has no buffer '${name}'`, name);
    return t;
  }

  /** Child modules in registration order. */
  namedChildren(): Map<string, Module> {
    return new Map(this.#children);
  }

  children(): Module[] {
    return [...this.#children.values()];
  }

  /** This module and all below it, pre-order, keyed by dotted path ('' for this one); each module once. */
  namedModules(prefix = "", seen = new Set<Module>()): Map<string, Module> {
    const out = new Map<string, Module>();
    if (seen.has(this)) return out;
    seen.add(this);
    out.set(prefix, this);
    for (const [name, child] of this.#children) {
      for (const [k, m] of child.namedModules(prefix === "" ? name : `${prefix}.${name}`, seen)) out.set(k, m);
    }
    return out;
  }

  modules(): Module[] {
    return [...this.namedModules().values()];
  }

  /** Parameters by PyTorch key, each tensor once (a shared parameter appears under its first name). */
  namedParameters(): Map<string, Tensor> {
    return this.#collect((m) => m.#params);
  }

  parameters(): Tensor[] {
    return [...this.namedParameters().values()];
  }

  namedBuffers(): Map<string, Tensor> {
    return this.#collect((m) => m.#buffers);
  }

  /** Own parameters, persistent buffers, then children's: PyTorch's state_dict keys and order. Owned: do not dispose. */
  stateDict(prefix = "", out = new Map<string, Tensor>()): Map<string, Tensor> {
    for (const [n, t] of this.#params) if (t !== undefined) out.set(prefix + n, t);
    for (const [n, t] of this.#buffers) if (t !== undefined && !this.#nonPersistent.has(n)) out.set(prefix + n, t);
    for (const [n, c] of this.#children) c.stateDict(`${prefix}${n}.`, out);
    return out;
  }

  /** stateDict() copied to host memory, ready for writeSafetensors. */
  hostStateDict(): Map<string, HostTensor> {
    return new Map([...this.stateDict()].map(([k, t]) => [k, t.toHost()]));
  }

  /**
   * Copies `source` into this module's parameters and buffers in place (no autograd, dtype converted).
   * Everything is checked before anything is copied. Throws one StateDictError listing missing, unexpected
   * and mis-shaped keys; with `strict: false` missing and unexpected keys are returned instead (mis-shaped
   * keys still throw, as in PyTorch).
   */
  loadStateDict(source: StateDictSource, options: LoadStateDictOptions = {}): LoadResult {
    return loadInto(this.stateDict(), source, options);
  }

  #collect(pick: (m: Module) => Map<string, Tensor | undefined>): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    const seen = new Set<Tensor>();
    for (const [path, m] of this.namedModules()) {
      for (const [name, t] of pick(m)) {
        if (t === undefined || seen.has(t)) continue;
        seen.add(t);
        out.set(path === "" ? name : `${path}.${name}`, t);
      }
    }
    return out;
  }

  /** Sets training mode here and below (dropout on/off). */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Calls fn on every module, children first then this one (as torch's Module.apply). */
  apply(fn: (m: Module) => void): this {
    for (const c of this.#children.values()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Clears every parameter's gradient (set to none, as PyTorch's default). */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) p.zeroGrad(setToNone);
  }

  /** Converts floating tensors to `dtype`, moves all to `device`; replaces them, drops grads: build optimizers after. */
  to(target: ToTarget): this {
    const convert = converter(target);
    this.zeroGrad();
    for (const m of this.modules()) {
      for (const [name, p] of m.#params) if (p !== undefined) m.registerParameter(name, convert(p));
      for (const [name, b] of m.#buffers) if (b !== undefined) m.registerBuffer(name, convert(b), { persistent: !m.#nonPersistent.has(name) });
    }
    return this;
  }

  toDtype(dtype: DType): this {
    return this.to({ dtype });
  }

  /** Frees every parameter and buffer here and below. The module is unusable afterwards. */
  dispose(): void {
    for (const m of this.modules()) {
      for (const t of m.#params.values()) t?.dispose();
      for (const t of m.#buffers.values()) t?.dispose();
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
