/**
 * The few host-side tensor edits the exporters need to re-lay weights: split rows, reshape, transpose, zeros,
 * and folding a patch-convolution bias into the position embedding. Row splits and reshapes copy bytes of any
 * dtype; the fold does float32 arithmetic (laclip models load as float32).
 */
import { DTYPE_SIZE, numel, type HostTensor } from "../io/host_tensor.js";
export { transpose2d } from "../io/host_transpose.js";

/** `t` split along dim 0 into `n` equal parts (q, k, v of a packed in_proj). */
export function chunkRows(t: HostTensor, n: number): HostTensor[] {
  const rows = t.shape[0]!;
  if (rows % n !== 0) throw new RangeError(`cannot split ${rows} rows into ${n} equal parts`);
  const bytes = t.data.byteLength / n;
  return Array.from({ length: n }, (_, i) => ({
    dtype: t.dtype, shape: [rows / n, ...t.shape.slice(1)], data: t.data.slice(i * bytes, (i + 1) * bytes),
  }));
}

export function reshape(t: HostTensor, shape: number[]): HostTensor {
  if (numel(shape) !== numel(t.shape)) throw new RangeError(`cannot reshape [${t.shape.join(", ")}] to [${shape.join(", ")}]`);
  return { dtype: t.dtype, shape, data: t.data };
}

export function zerosLike(shape: number[], like: HostTensor): HostTensor {
  return { dtype: like.dtype, shape, data: new Uint8Array(numel(shape) * DTYPE_SIZE[like.dtype]) };
}

function f32(t: HostTensor, what: string): Float32Array {
  if (t.dtype !== "f32") throw new RangeError(`${what} must be float32 to fold, got ${t.dtype}`);
  return new Float32Array(t.data.slice().buffer);
}

/**
 * A patch convolution's bias added to every patch position of the position embedding (rows 1.., row 0 is the
 * class token's): conv(x) + b + pos equals conv_without_bias(x) + (pos + b) exactly, so formats whose patch
 * embedding has no bias still compute the same tokens. `pos` is (T, W) or (1, T, W); `bias` is (W,).
 */
export function foldPatchBias(pos: HostTensor, bias: HostTensor): HostTensor {
  const p = f32(pos, "the position embedding");
  const b = f32(bias, "the patch bias");
  const w = b.length;
  const rows = p.length / w;
  for (let r = 1; r < rows; r++) for (let c = 0; c < w; c++) p[r * w + c] = p[r * w + c]! + b[c]!;
  return { dtype: "f32", shape: [...pos.shape], data: new Uint8Array(p.buffer) };
}
