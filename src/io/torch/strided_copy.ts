/**
 * Copies a strided view out of a storage span into a new C-contiguous buffer. The innermost dimension is
 * copied as one run when its stride is 1, so the per-element loop only runs for transposed or expanded views.
 */

/**
 * `span` holds the storage elements from the view's lowest to its highest index (the view's first element is
 * at element 0 of `span`, since strides are non-negative); `shape`/`stride` are in elements.
 */
export function gatherStrided(span: Uint8Array, shape: readonly number[], stride: readonly number[], elementSize: number): Uint8Array {
  let count = 1;
  for (const s of shape) count *= s;
  const out = new Uint8Array(count * elementSize);
  if (count === 0) return out;
  const rank = shape.length;
  const innerRun = rank > 0 && stride[rank - 1] === 1 ? shape[rank - 1] : 1;
  const outer = rank > 0 && innerRun > 1 ? rank - 1 : rank; // dimensions walked one index at a time
  const runBytes = innerRun * elementSize;
  const index = new Array<number>(outer).fill(0);
  let src = 0; // element offset into span of the current run
  for (let dst = 0; dst < out.byteLength; dst += runBytes) {
    const from = src * elementSize;
    if (runBytes <= 16) for (let b = 0; b < runBytes; b++) out[dst + b] = span[from + b];
    else out.set(span.subarray(from, from + runBytes), dst);
    // Advance the multi-index like an odometer, innermost walked dimension first.
    for (let d = outer - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) {
        src += stride[d];
        break;
      }
      src -= stride[d] * (shape[d] - 1);
      index[d] = 0;
    }
  }
  return out;
}

export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    // Size-1 dimensions may carry any stride; PyTorch counts them as contiguous too.
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}
