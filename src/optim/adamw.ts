/**
 * AdamW (Loshchilov & Hutter) with torch.optim.AdamW's exact update (single-tensor path): decoupled weight
 * decay p *= 1 - lr * wd first, then the moment updates, bias corrections computed in f64 as Python does,
 * and p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps). Optional amsgrad and maximize.
 */
import { zerosLike, type Tensor } from "../engine/index.js";
import { ConfigError } from "../errors/config_error.js";
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from "./optimizer.js";

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
    const { lr, eps, weightDecay, amsgrad } = group;
    const [beta1, beta2] = group.betas;
    const grad = group.maximize ? g.neg() : g;
    if (st.size === 0) {
      st.set("step", 0);
      st.set("exp_avg", this.own(zerosLike(p)));
      st.set("exp_avg_sq", this.own(zerosLike(p)));
    }
    if (amsgrad && !st.has("max_exp_avg_sq")) st.set("max_exp_avg_sq", this.own(zerosLike(p)));
    const step = (st.get("step") as number) + 1;
    st.set("step", step);
    const expAvg = st.get("exp_avg") as Tensor;
    const expAvgSq = st.get("exp_avg_sq") as Tensor;

    p.mul_(1 - lr * weightDecay);
    expAvg.mul_(beta1).add_(grad, 1 - beta1);
    expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);

    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    const stepSize = lr / biasCorrection1;
    const bc2Sqrt = Math.sqrt(biasCorrection2);
    let second = expAvgSq;
    if (amsgrad) {
      const max = st.get("max_exp_avg_sq") as Tensor;
      max.copy_(max.maximum(expAvgSq));
      second = max;
    }
    const denom = second.sqrt().div_(bc2Sqrt).add_(eps);
    p.addcdiv_(expAvg, denom, -stepSize);
  }
}
