/**
 * A tensor from a checkpoint: its view geometry over a lazily read storage. `read()` fetches only the
 * storage elements the view covers (a slice of a large storage reads only the slice) and returns them as a
 * C-contiguous HostTensor; several views of one storage therefore never copy the whole storage each.
 */
import { DTYPE_SIZE, numel, type DType, type HostTensor } from "../host_tensor.js";
import { PyObject } from "../pickle/py_value.js";
import type { TorchStorage } from "./storage.js";
import { gatherStrided, isContiguous } from "./strided_copy.js";

export class TorchTensor extends PyObject {
  readonly pyType: string;

  constructor(
    readonly storage: TorchStorage,
    /** In elements. */
    readonly storageOffset: number,
    readonly shape: readonly number[],
    /** In elements, non-negative. */
    readonly stride: readonly number[],
    readonly requiresGrad: boolean,
    readonly isParameter = false,
  ) {
    super();
    this.pyType = isParameter ? "torch.nn.Parameter" : "torch.Tensor";
  }

  get dtype(): DType {
    return this.storage.dtype;
  }

  /** The same view marked as an nn.Parameter (what `_rebuild_parameter` does). */
  asParameter(requiresGrad: boolean): TorchTensor {
    return new TorchTensor(this.storage, this.storageOffset, this.shape, this.stride, requiresGrad, true);
  }

  /** Number of storage elements from the view's first to its last element, inclusive (0 when empty). */
  get spanLength(): number {
    if (numel(this.shape) === 0) return 0;
    let last = 0;
    this.shape.forEach((s, d) => (last += (s - 1) * this.stride[d]));
    return last + 1;
  }

  async read(): Promise<HostTensor> {
    const shape = [...this.shape];
    const span = await this.storage.readElements(this.storageOffset, this.spanLength);
    const data = isContiguous(this.shape, this.stride) ? span : gatherStrided(span, this.shape, this.stride, DTYPE_SIZE[this.dtype]);
    return { dtype: this.dtype, shape, data };
  }
}
