/**
 * Symmetric int8 weight quantisation with one scale per output channel: q = round(w / s), s = max|w| / 127,
 * zero point 0. The `_quantized` graphs keep these int8 tensors and dequantise them in the graph
 * (DequantizeLinear before each MatMul and Conv, a scaled Cast after the embedding Gather): weights take a
 * quarter of the space and every backend of onnxruntime (wasm, WebGPU, native) runs the ops, while activations
 * stay float32.
 */

export interface QuantizedChannels {
  q: Int8Array;
  /** One scale per channel along `axis`. */
  scale: Float32Array;
}

/**
 * Quantises a row-major (rows, cols) matrix (any trailing dims folded into cols) per channel: `axis` 0 gives a
 * scale per row, 1 a scale per column.
 */
export function quantizePerChannel(w: Float32Array, rows: number, cols: number, axis: 0 | 1): QuantizedChannels {
  if (w.length !== rows * cols) throw new RangeError(`quantizePerChannel: ${w.length} values for (${rows}, ${cols})`);
  const channels = axis === 0 ? rows : cols;
  const absMax = new Float32Array(channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const a = Math.abs(w[r * cols + c]!);
      const ch = axis === 0 ? r : c;
      if (a > absMax[ch]!) absMax[ch] = a;
    }
  }
  // An all-zero channel keeps scale 1 so the dequantised zeros stay zeros (a zero scale is invalid in ONNX).
  const scale = absMax.map((m) => (m > 0 ? m / 127 : 1));
  const q = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const s = scale[axis === 0 ? r : c]!;
      q[r * cols + c] = Math.max(-127, Math.min(127, Math.round(w[r * cols + c]! / s)));
    }
  }
  return { q, scale };
}
