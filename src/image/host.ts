/** A batch as the engine-neutral HostTensor (f32, little-endian, C-contiguous), viewing the same memory. */
import type { HostTensor } from "../io/host_tensor.js";

export function batchToHostTensor(batch: Float32Array, size: number): HostTensor {
  const per = 3 * size * size;
  if (batch.length % per !== 0) throw new RangeError(`batchToHostTensor: ${batch.length} floats is not a whole number of (3, ${size}, ${size}) images`);
  return {
    dtype: "f32",
    shape: [batch.length / per, 3, size, size], // (B, 3, H, W)
    data: new Uint8Array(batch.buffer, batch.byteOffset, batch.byteLength),
  };
}
