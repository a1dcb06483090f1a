/** torch.nn.LayerNorm over the trailing `normalizedShape` dimensions; weight 1 and bias 0 at start. */
import { layerNorm, type Tensor } from "../engine/index.js";
import { emptyParam, type FactoryOptions } from "./factory.js";
import { ones_, zeros_ } from "./init.js";
import { Module } from "./module.js";

export interface LayerNormOptions extends Omit<FactoryOptions, "generator"> {
  eps?: number;
  /** Learn a weight (and bias) per element (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, also learn a bias (default true). */
  bias?: boolean;
}

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], o: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = o.eps ?? 1e-5;
    const affine = o.elementwiseAffine ?? true;
    const w = this.registerParameter("weight", affine ? emptyParam(this.normalizedShape, o) : undefined);
    const b = this.registerParameter("bias", affine && (o.bias ?? true) ? emptyParam(this.normalizedShape, o) : undefined);
    if (w !== undefined) ones_(w);
    if (b !== undefined) zeros_(b);
  }

  get weight(): Tensor | undefined {
    return this.optionalParam("weight");
  }

  get bias(): Tensor | undefined {
    return this.optionalParam("bias");
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}
