/** torch.nn.Conv2d with weight (out, in / groups, kh, kw). */
import { conv2d, type Conv2dOptions, type Tensor } from "../engine/index.js";
import { ConfigError } from "../errors/config_error.js";
import { emptyParam, type FactoryOptions } from "./factory.js";
import { biasUniform_, kaimingUniform_ } from "./init.js";
import { Module } from "./module.js";

export interface Conv2dLayerOptions extends FactoryOptions, Conv2dOptions {
  bias?: boolean;
}

export class Conv2d extends Module {
  readonly kernelSize: [number, number];
  readonly options: Conv2dOptions;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number, number], o: Conv2dLayerOptions = {}) {
    super();
    const groups = o.groups ?? 1;
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new ConfigError(`Conv2d: in_channels ${inChannels} and out_channels ${outChannels} must be divisible by groups ${groups}`, "groups");
    }
    this.kernelSize = typeof kernelSize === "number" ? [kernelSize, kernelSize] : [...kernelSize];
    this.options = { stride: o.stride, padding: o.padding, dilation: o.dilation, groups };
    const w = this.registerParameter("weight", emptyParam([outChannels, inChannels / groups, ...this.kernelSize], o))!;
    const b = this.registerParameter("bias", (o.bias ?? true) ? emptyParam([outChannels], o) : undefined);
    kaimingUniform_(w, Math.sqrt(5), o.generator);
    if (b !== undefined) biasUniform_(b, w.shape, o.generator);
  }

  get weight(): Tensor {
    return this.param("weight");
  }

  get bias(): Tensor | undefined {
    return this.optionalParam("bias");
  }

  /** x (N, C, H, W) → (N, out, H', W'). */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.options);
  }
}
