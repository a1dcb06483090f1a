/**
 * The base of every optimizer: parameter groups with per-group options, per-parameter state, and state dicts
 * in PyTorch's layout (`state` keyed by parameter index across groups in order, `param_groups` with `params`
 * index lists and snake_case option names). Subclasses write one parameter's update; step() runs it for every
 * parameter that has a gradient, without autograd and inside tidy() so no temporary outlives the step.
 */
import { ConfigError } from "../errors/config_error.js";
import { keep, noGrad, Tensor, tidy } from "../engine/index.js";
import { buildStateDict, restoreState, type OptimizerStateDict, type OptimizerStateSource } from "./state_dict.js";

/** One parameter's state: tensors owned by the optimizer and numbers (the step count). */
export type ParamState = Map<string, Tensor | number>;

export type ParamGroup<O> = O & { params: Tensor[] };

/** A parameter about to be updated, its gradient and its state. */
export interface PendingUpdate {
  p: Tensor;
  grad: Tensor;
  state: ParamState;
}

/** Either a list of parameters (one group) or groups, each with its own parameters and option overrides. */
export type ParamsInput<O> = Iterable<Tensor> | readonly (Partial<O> & { params: Iterable<Tensor> })[];

export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[] = [];
  readonly defaults: Readonly<O>;
  protected readonly state = new Map<Tensor, ParamState>();

  constructor(params: ParamsInput<O>, defaults: O) {
    this.defaults = defaults;
    const list = [...(params as Iterable<Tensor | (Partial<O> & { params: Iterable<Tensor> })>)];
    const isGroups = list.length > 0 && !(list[0] instanceof Tensor);
    const groups = isGroups ? (list as (Partial<O> & { params: Iterable<Tensor> })[]) : [{ params: list as Tensor[] } as unknown as Partial<O> & { params: Iterable<Tensor> }];
    if (groups.length === 0 || (!isGroups && list.length === 0)) throw new ConfigError(`${this.constructor.name}: got an empty parameter list`, "params");
    for (const g of groups) this.addParamGroup(g);
  }

  /** Adds a group; options it leaves out come from the defaults. A parameter may belong to one group only. */
  addParamGroup(group: Partial<O> & { params: Iterable<Tensor> }): void {
    const where = `${this.constructor.name} param group ${this.paramGroups.length}`;
    const params = [...group.params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of params) {
      if (seen.has(p)) throw new ConfigError(`${where}: a parameter appears in more than one group (or twice); list each once`, "params");
      if (!p.isLeaf) throw new ConfigError(`${where}: can only optimize leaf tensors (parameters), got a computed tensor`, "params");
      seen.add(p);
    }
    const full = { ...this.defaults, ...group, params } as ParamGroup<O>;
    this.validate(full, where);
    this.paramGroups.push(full);
  }

  /** Throws ConfigError for options that cannot be used (negative lr, betas outside [0, 1), ...). */
  protected abstract validate(group: O, where: string): void;

  /** Updates one parameter in place; `grad` is its gradient, `state` its (possibly empty) state. */
  protected abstract update(p: Tensor, grad: Tensor, group: ParamGroup<O>, state: ParamState): void;

  /** One optimization step over every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        const pending: PendingUpdate[] = [];
        for (const p of group.params) {
          const grad = p.grad;
          if (grad === undefined) continue;
          let state = this.state.get(p);
          if (state === undefined) this.state.set(p, (state = new Map()));
          pending.push({ p, grad, state });
        }
        this.updateGroup(pending, group);
      }
    });
  }

  /**
   * Updates the parameters of one group that have a gradient. By default one update() each, inside tidy();
   * optimizers with a multi-parameter kernel override this to do the whole group at once.
   */
  protected updateGroup(pending: readonly PendingUpdate[], group: ParamGroup<O>): void {
    for (const { p, grad, state } of pending) tidy(() => this.update(p, grad, group, state));
  }

  /** State tensors must outlive the step's tidy scope. */
  protected own(t: Tensor): Tensor {
    return keep(t);
  }

  /** Clears the gradients of every parameter (set to none by default, as PyTorch 2's default). */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) for (const p of g.params) p.zeroGrad(setToNone);
  }

  /** The state of parameter `p` (empty before its first step). */
  stateOf(p: Tensor): ReadonlyMap<string, Tensor | number> {
    return this.state.get(p) ?? new Map();
  }

  /**
   * PyTorch's layout: `state` by parameter index (counting through the groups in order), `param_groups` with
   * snake_case options and `params` index lists. The tensors are the optimizer's own: save them, do not dispose.
   */
  stateDict(): OptimizerStateDict {
    return buildStateDict(this.paramGroups, this.state);
  }

  /**
   * Replaces the state and group options with copies of `sd` (tensors moved to each parameter's device, floating
   * state cast to its dtype). Checks everything first and throws one OptimizerStateError listing each problem.
   */
  loadStateDict(sd: OptimizerStateSource): void {
    restoreState(this.paramGroups as ParamGroup<Record<string, unknown>>[], this.state, sd);
  }

  /** Frees the optimizer's state tensors (not the parameters). */
  dispose(): void {
    for (const st of this.state.values()) for (const v of st.values()) if (typeof v !== "number") v.dispose();
    this.state.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
