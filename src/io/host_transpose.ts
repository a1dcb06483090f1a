/** The transpose of a 2-D host tensor, any dtype (a byte copy per element). */
import { DTYPE_SIZE, type HostTensor } from "./host_tensor.js";

export function transpose2d(t: HostTensor): HostTensor {
  if (t.shape.length !== 2) throw new RangeError(`transpose2d needs a 2-D tensor, got shape [${t.shape.join(", ")}]`);
  const [rows, cols] = t.shape as [number, number];
  const size = DTYPE_SIZE[t.dtype];
  const out = new Uint8Array(t.data.byteLength);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const from = (r * cols + c) * size;
      out.set(t.data.subarray(from, from + size), (c * rows + r) * size);
    }
  }
  return { dtype: t.dtype, shape: [cols, rows], data: out };
}
