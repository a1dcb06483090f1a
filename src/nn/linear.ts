/** torch.nn.Linear: y = x W^T + b with W (out, in). */
import { linear, type Tensor } from "../engine/index.js";
import { emptyParam, type FactoryOptions } from "./factory.js";
import { biasUniform_, kaimingUniform_ } from "./init.js";
import { Module } from "./module.js";

export interface LinearOptions extends FactoryOptions {
  bias?: boolean;
}

export class Linear extends Module {
  constructor(readonly inFeatures: number, readonly outFeatures: number, o: LinearOptions = {}) {
    super();
    const w = this.registerParameter("weight", emptyParam([outFeatures, inFeatures], o))!;
    const b = this.registerParameter("bias", (o.bias ?? true) ? emptyParam([outFeatures], o) : undefined);
    kaimingUniform_(w, Math.sqrt(5), o.generator);
    if (b !== undefined) biasUniform_(b, w.shape, o.generator);
  }

  get weight(): Tensor {
    return this.param("weight");
  }

  get bias(): Tensor | undefined {
    return this.optionalParam("bias");
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
