/**
 * SGD with torch.optim.SGD's exact update: weight decay added to the gradient, momentum buffer started as a
 * copy of the first gradient then buf = momentum * buf + (1 - dampening) * d_p, optional Nesterov look-ahead.
 */
import type { Tensor } from "../engine/index.js";
import { ConfigError } from "../errors/config_error.js";
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from "./optimizer.js";

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

export const SGD_DEFAULTS: Readonly<Omit<SGDOptions, "lr">> = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };

export class SGD extends Optimizer<SGDOptions> {
  /** `lr` has no default, as in PyTorch. */
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    super(params, { ...SGD_DEFAULTS, ...options });
  }

  protected validate(g: SGDOptions, where: string): void {
    const bad = (key: string, why: string): never => {
      throw new ConfigError(`${where}: ${key} ${why}`, key);
    };
    if (!(g.lr >= 0)) bad("lr", `must be >= 0, got ${g.lr}`);
    if (!(g.momentum >= 0)) bad("momentum", `must be >= 0, got ${g.momentum}`);
    if (!(g.weightDecay >= 0)) bad("weightDecay", `must be >= 0, got ${g.weightDecay}`);
    if (!Number.isFinite(g.dampening)) bad("dampening", `must be a number, got ${g.dampening}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) bad("nesterov", "needs momentum > 0 and dampening 0");
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<SGDOptions>, st: ParamState): void {
    const { lr, momentum, dampening, weightDecay, nesterov } = group;
    let dp = group.maximize ? g.neg() : g;
    if (weightDecay !== 0) dp = dp.add(p, weightDecay);
    if (momentum !== 0) {
      let buf = st.get("momentum_buffer") as Tensor | undefined;
      if (buf === undefined) st.set("momentum_buffer", (buf = this.own(dp.clone())));
      else buf.mul_(momentum).add_(dp, 1 - dampening);
      dp = nesterov ? dp.add(buf, momentum) : buf;
    }
    p.add_(dp, -lr);
  }
}
