/** Sequential and ModuleList: children named "0", "1", ... as in PyTorch. */
import type { Tensor } from "../engine/index.js";
import { ConfigError } from "../errors/config_error.js";
import type { UnaryModule } from "./factory.js";
import { Module } from "./module.js";

/** Modules that list their children by position. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly #items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.push(m);
  }

  push(m: M): this {
    this.registerModule(String(this.#items.length), m);
    this.#items.push(m);
    return this;
  }

  get length(): number {
    return this.#items.length;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): M {
    const m = this.#items.at(i);
    if (m === undefined) throw new ConfigError(`${this.constructor.name}: index ${i} is out of range for ${this.#items.length} modules`, String(i));
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.#items[Symbol.iterator]();
  }
}

/** Runs its modules in order; intermediate outputs are disposed as soon as the next module has used them. */
export class Sequential extends ModuleList<Module & UnaryModule> {
  constructor(...modules: (Module & UnaryModule)[]) {
    super(modules);
  }

  forward(x: Tensor): Tensor {
    let cur = x;
    for (const m of this) {
      const next = m.forward(cur);
      if (cur !== x && next !== cur) cur.dispose();
      cur = next;
    }
    // An empty Sequential is the identity; return a new handle so the caller owns every output alike.
    return cur === x ? x.view([...x.shape]) : cur;
  }
}
