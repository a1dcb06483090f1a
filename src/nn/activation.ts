/** Parameter-free layers: GELU, QuickGELU (CLIP's x * sigmoid(1.702 x)) and Dropout. */
import type { Generator, Tensor } from "../engine/index.js";
import { ConfigError } from "../errors/config_error.js";
import { Module } from "./module.js";

export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.gelu(this.approximate);
  }
}

export class QuickGELU extends Module {
  forward(x: Tensor): Tensor {
    return x.quickGelu();
  }
}

/** Zeroes elements with probability p in training mode and scales the rest by 1/(1-p); identity in eval mode. */
export class Dropout extends Module {
  constructor(readonly p = 0.5, readonly generator?: Generator) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ConfigError(`Dropout: p must be in [0, 1], got ${p}`, "p");
  }

  /** Always a new tensor (the input in eval mode is not returned as is), so callers own every output. */
  forward(x: Tensor): Tensor {
    return x.dropout(this.p, this.training, this.generator);
  }
}
