/**
 * AdamW (Loshchilov & Hutter) with torch.optim.AdamW's exact update (single-tensor path): decoupled weight
 * decay p *= 1 - lr * wd first, then the moment updates, bias corrections computed in f64 as Python does,
 * and p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps). Optional amsgrad and maximize. Each group's parameters
 * are updated by one native call that makes one pass over each tensor (engine adamwKernelStep).
 */
import { adamwKernelStep, zerosLike, type AdamWKernelParam, type Tensor } from "../engine/index.js";
import { ConfigError } from "../errors/config_error.js";
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput, type PendingUpdate } from "./optimizer.js";

export interface AdamWOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

export const ADAMW_DEFAULTS: Readonly<AdamWOptions> = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false };

export class AdamW extends Optimizer<AdamWOptions> {
  constructor(params: ParamsInput<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    super(params, { ...ADAMW_DEFAULTS, ...options, betas: [...(options.betas ?? ADAMW_DEFAULTS.betas)] });
  }

  protected validate(g: AdamWOptions, where: string): void {
    const bad = (key: string, why: string): never => {
      throw new ConfigError(`${where}: ${key} ${why}`, key);
    };
    if (!(g.lr >= 0)) bad("lr", `must be >= 0, got ${g.lr}`);
    if (!(g.eps >= 0)) bad("eps", `must be >= 0, got ${g.eps}`);
    if (!(g.weightDecay >= 0)) bad("weightDecay", `must be >= 0, got ${g.weightDecay}`);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) bad("betas", "must be a pair [beta1, beta2]");
    g.betas.forEach((b, i) => {
      if (!(b >= 0 && b < 1)) bad("betas", `[${i}] must be in [0, 1), got ${b}`);
    });
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<AdamWOptions>, st: ParamState): void {
    this.updateGroup([{ p, grad: g, state: st }], group);
  }

  /** The whole group in one native call (one pass over each tensor): see adamwKernelStep. */
  protected override updateGroup(pending: readonly PendingUpdate[], group: ParamGroup<AdamWOptions>): void {
    const items = pending.map(({ p, grad, state }): AdamWKernelParam => {
      if (state.size === 0) {
        state.set("step", 0);
        state.set("exp_avg", this.own(zerosLike(p)));
        state.set("exp_avg_sq", this.own(zerosLike(p)));
      }
      if (group.amsgrad && !state.has("max_exp_avg_sq")) state.set("max_exp_avg_sq", this.own(zerosLike(p)));
      const step = (state.get("step") as number) + 1;
      state.set("step", step);
      const max = state.get("max_exp_avg_sq") as Tensor | undefined;
      return {
        param: p, grad, step, expAvg: state.get("exp_avg") as Tensor, expAvgSq: state.get("exp_avg_sq") as Tensor,
        ...(group.amsgrad ? { maxExpAvgSq: max } : {}),
      };
    });
    adamwKernelStep(items, group);
  }
}
