/**
 * A model's state dict as graph constants. Every tensor is read as float32 by its state_dict key; how the big
 * matrices become constants depends on the precision: `fp32` stores them as they are, `int8` stores int8 values
 * with per-channel scales (quantize.ts) and dequantises them inside the graph.
 */
import type { HostTensor } from "../../io/host_tensor.js";
import { OnnxExportError } from "./errors/onnx_export_error.js";
import { floatTensor, int8Tensor, type GraphBuilder } from "./graph.js";
import { int } from "./proto.js";
import { quantizePerChannel } from "./quantize.js";

export type Precision = "fp32" | "int8";

export interface Float32Host {
  shape: number[];
  data: Float32Array;
}

function toFloat32(key: string, t: HostTensor): Float32Array {
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (t.dtype === "f32") return new Float32Array(t.data.slice().buffer, 0, n);
  if (t.dtype === "bf16" || t.dtype === "f16") {
    const src = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const out = new Float32Array(n);
    const tmp = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < n; i++) {
      const h = src.getUint16(2 * i, true);
      if (t.dtype === "bf16") {
        tmp.setUint32(0, h << 16, true);
        out[i] = tmp.getFloat32(0, true);
      } else {
        out[i] = halfToFloat(h);
      }
    }
    return out;
  }
  throw new OnnxExportError(`tensor '${key}' is ${t.dtype}; the ONNX export reads float32, bfloat16 or float16 weights`);
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

export class GraphWeights {
  private readonly cache = new Map<string, Float32Host>();

  constructor(private readonly state: ReadonlyMap<string, HostTensor>, readonly precision: Precision) {}

  has(key: string): boolean {
    return this.state.has(key);
  }

  /** The tensor at `key` as float32; throws an ExportError naming the key when it is absent. */
  get(key: string): Float32Host {
    let t = this.cache.get(key);
    if (t === undefined) {
      const h = this.state.get(key);
      if (h === undefined) throw new OnnxExportError(`the checkpoint has no tensor '${key}', which the ONNX graph needs`);
      t = { shape: [...h.shape], data: toFloat32(key, h) };
      this.cache.set(key, t);
    }
    return t;
  }

  /** A float32 constant, always full precision (norms, biases, embeddings of positions, tokens' CLS). */
  plain(g: GraphBuilder, key: string, dims?: number[]): string {
    const t = this.get(key);
    return g.constant(key, floatTensor(t.data, dims ?? t.shape));
  }

  /**
   * A matrix for `MatMul(x, W)`, (in, out). `transpose` reads a PyTorch Linear weight (out, in); projections
   * (`text_projection`, `visual.proj`, `image_projection`) are stored (in, out) already.
   */
  matrix(g: GraphBuilder, key: string, transpose: boolean): string {
    const t = this.get(key);
    if (t.shape.length !== 2) throw new OnnxExportError(`tensor '${key}' should be a matrix, has shape [${t.shape.join(", ")}]`);
    const [r, c] = t.shape as [number, number];
    let data = t.data;
    if (transpose) {
      data = new Float32Array(r * c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = t.data[i * c + j]!;
    }
    const dims = transpose ? [c, r] : [r, c];
    return this.precision === "fp32"
      ? g.constant(key, floatTensor(data, dims))
      : this.dequantized(g, key, data, dims[0]!, dims[1]!, dims, 1);
  }

  /** A convolution kernel (out, in, kh, kw), quantised per output channel in int8. */
  conv(g: GraphBuilder, key: string): string {
    const t = this.get(key);
    if (this.precision === "fp32") return g.constant(key, floatTensor(t.data, t.shape));
    const out = t.shape[0]!;
    return this.dequantized(g, key, t.data, out, t.data.length / out, t.shape, 0);
  }

  private dequantized(g: GraphBuilder, key: string, data: Float32Array, rows: number, cols: number, dims: number[], axis: 0 | 1): string {
    const { q, scale } = quantizePerChannel(data, rows, cols, axis);
    const qName = g.constant(`${key}_quantized`, int8Tensor(q, dims));
    const sName = g.constant(`${key}_scale`, floatTensor(scale, [scale.length]));
    const zName = g.constant(`${key}_zero_point`, int8Tensor(new Int8Array(scale.length), [scale.length]));
    return g.op("DequantizeLinear", [qName, sName, zName], { axis: int(axis) });
  }

  /**
   * Rows of the embedding table at `key` (V, W) for integer `ids` (any shape S) → (S..., W). In int8 the table is
   * quantised per row and each gathered row is scaled by its own scale, so the full table is never dequantised.
   */
  embedding(g: GraphBuilder, key: string, ids: string): string {
    const t = this.get(key);
    if (this.precision === "fp32") return g.op("Gather", [g.constant(key, floatTensor(t.data, t.shape)), ids], { axis: int(0) });
    const [v, w] = t.shape as [number, number];
    const { q, scale } = quantizePerChannel(t.data, v, w, 0);
    const rows = g.op("Gather", [g.constant(`${key}_quantized`, int8Tensor(q, t.shape)), ids], { axis: int(0) }); // (S..., W) int8
    const rowScale = g.op("Gather", [g.constant(`${key}_scale`, floatTensor(scale, [v, 1])), ids], { axis: int(0) }); // (S..., 1)
    return g.mul(g.op("Cast", [rows], { to: int(1) }), rowScale);
  }
}
