/** Where a layer creates its parameters, and which random stream initialises them. */
import { empty, type Device, type DType, type Generator, type Tensor } from "../engine/index.js";

export interface FactoryOptions {
  /** Parameter dtype (f32 by default). */
  dtype?: DType;
  device?: Device;
  /** Initialisation draws from this stream; the global one (manualSeed) otherwise, as in PyTorch. */
  generator?: Generator;
}

/** Uninitialised parameter storage, to be filled by an init function (PyTorch's torch.empty + reset_parameters). */
export const emptyParam = (shape: readonly number[], o: FactoryOptions): Tensor => empty(shape, { dtype: o.dtype, device: o.device });

/** A module taking one tensor, the shape Sequential chains. */
export interface UnaryModule {
  forward(x: Tensor): Tensor;
}
