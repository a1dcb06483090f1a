/**
 * Parameter initialisation as torch.nn.init does it: the same bounds computed the same way and the same
 * in-place draws, so that with the same seed a layer starts from PyTorch's values.
 */
import { noGrad, type Generator, type Tensor } from "../engine/index.js";

/** (fan_in, fan_out) of a weight laid out (out, in, *kernel), as torch.nn.init._calculate_fan_in_and_fan_out. */
export function fanInAndOut(shape: readonly number[]): [number, number] {
  if (shape.length < 2) throw new RangeError(`fan in and fan out need a tensor with at least 2 dimensions, got [${shape.join(", ")}]`);
  let receptive = 1;
  for (const s of shape.slice(2)) receptive *= s;
  return [shape[1]! * receptive, shape[0]! * receptive];
}

/** U(-bound, bound) with bound = gain * sqrt(3 / fan_in), gain for leaky_relu(a); PyTorch's Linear/Conv default uses a = sqrt(5). */
export function kaimingUniform_(t: Tensor, a = 0, generator?: Generator): Tensor {
  const [fanIn] = fanInAndOut(t.shape);
  const gain = Math.sqrt(2.0 / (1 + a ** 2));
  const std = gain / Math.sqrt(fanIn);
  const bound = Math.sqrt(3.0) * std;
  return noGrad(() => t.uniform_(-bound, bound, generator));
}

/** U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const [fanIn, fanOut] = fanInAndOut(t.shape);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return noGrad(() => t.uniform_(-a, a, generator));
}

/** The bias default of Linear and Conv: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the weight's fan_in. */
export function biasUniform_(bias: Tensor, weightShape: readonly number[], generator?: Generator): Tensor {
  const [fanIn] = fanInAndOut(weightShape);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return noGrad(() => bias.uniform_(-bound, bound, generator));
}

export const normal_ = (t: Tensor, mean = 0, std = 1, generator?: Generator): Tensor => noGrad(() => t.normal_(mean, std, generator));
export const uniform_ = (t: Tensor, from = 0, to = 1, generator?: Generator): Tensor => noGrad(() => t.uniform_(from, to, generator));
export const zeros_ = (t: Tensor): Tensor => noGrad(() => t.zero_());
export const ones_ = (t: Tensor): Tensor => noGrad(() => t.fill_(1));
export const constant_ = (t: Tensor, value: number): Tensor => noGrad(() => t.fill_(value));
