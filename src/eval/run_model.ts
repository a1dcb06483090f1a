/**
 * Running one encoder for evaluation: no autograd, optional bf16 autocast, the input moved to the model's
 * device, and the features handed back L2-normalised as float32 host rows.
 */
import { autocast, fromHost, noGrad, tensor, tidy, type Device, type Tensor } from "../engine/index.js";
import type { HostTensor } from "../io/host_tensor.js";
import { LaclipError } from "../errors/laclip_error.js";

export interface RunOptions {
  /** Where the model's weights live; inputs are moved there. Default cpu. */
  device?: Device;
  /** Encode under bf16 autocast (features are normalised in float32 either way). Default false. */
  bf16?: boolean;
}

/** A (rows, D) feature tensor as normalised float32 host memory; `what` names the encoder in errors. */
function normalisedRows(f: Tensor, rows: number, what: string): { data: Float32Array; dim: number } {
  if (f.shape.length !== 2 || f.shape[0] !== rows) {
    throw new LaclipError(`${what} returned shape [${f.shape.join(", ")}] for ${rows} inputs; expected (${rows}, D)`);
  }
  const data = f.to({ dtype: "f32", device: "cpu" }).normalize({ dim: -1 }).toTypedArray() as Float32Array;
  return { data, dim: f.shape[1]! };
}

function underMode<T>(o: RunOptions, fn: () => T): T {
  if (!o.bf16) return fn();
  const device = (o.device ?? "cpu").startsWith("cuda") ? "cuda" : "cpu";
  return autocast({ dtype: "bf16", device }, fn);
}

/** encode(tokens) for an int64 (N, T) token batch → (N, D) normalised rows. */
export function encodeTokens(encode: (t: Tensor) => Tensor, ids: HostTensor, o: RunOptions): { data: Float32Array; dim: number } {
  return noGrad(() => tidy(() => {
    const x = fromHost(ids, { device: o.device }); // (N, T) int64
    return normalisedRows(underMode(o, () => encode(x)), ids.shape[0]!, "encodeText");
  }));
}

/**
 * encode(images) for `rows` images of (3, size, size) floats, then 100 * normalised features @ weights: the
 * (rows, C) logits as host floats. The factor 100 is CLIP's trained temperature cap; it changes no ranking.
 */
export function imageLogits(encode: (t: Tensor) => Tensor, pixels: Float32Array, rows: number, size: number, weights: Tensor, o: RunOptions): Float32Array {
  return noGrad(() => tidy(() => {
    const x = tensor(pixels.subarray(0, rows * 3 * size * size), { shape: [rows, 3, size, size], device: o.device }); // (B, 3, S, S)
    const f = underMode(o, () => encode(x));
    if (f.shape.length !== 2 || f.shape[0] !== rows || f.shape[1] !== weights.shape[0]) {
      throw new LaclipError(`encodeImage returned shape [${f.shape.join(", ")}] for ${rows} images; expected (${rows}, ${weights.shape[0]}), the text features' width`);
    }
    const feats = f.to({ dtype: "f32" }).normalize({ dim: -1 }); // (B, D)
    return feats.matmul(weights).mul(100).to({ device: "cpu" }).toTypedArray() as Float32Array; // (B, C)
  }));
}

/** encode(images) for `rows` images of (3, size, size) floats → (rows, D) normalised float32 host rows. */
export function encodeImageRows(encode: (t: Tensor) => Tensor, pixels: Float32Array, rows: number, size: number, o: RunOptions): { data: Float32Array; dim: number } {
  return noGrad(() => tidy(() => {
    const x = tensor(pixels.subarray(0, rows * 3 * size * size), { shape: [rows, 3, size, size], device: o.device }); // (B, 3, S, S)
    return normalisedRows(underMode(o, () => encode(x)), rows, "encodeImage");
  }));
}
