/**
 * CUDA settings and the caching allocator's statistics (native/src/cuda_info.cc): TF32 off for fp32 parity,
 * peak bytes for the GPU check's memory column. CPU builds accept the calls; the statistics are then null.
 */
import { N } from "./native.js";

export interface CudaMemoryStats {
  /** Bytes held by live tensors now. */
  allocated: number;
  /** Most bytes held by live tensors since the last reset (torch.cuda.max_memory_allocated). */
  peak: number;
  /** Bytes the allocator holds from the driver (torch.cuda.memory_reserved). */
  reserved: number;
}

/** TF32 in cuBLAS products and cuDNN convolutions (PyTorch's torch.backends.cuda/cudnn allow_tf32). */
export function setAllowTf32(allow: boolean): void {
  N.setAllowTf32(allow);
}

const indexOf = (device: string): number => {
  const m = /^cuda(?::(\d+))?$/.exec(device);
  return m?.[1] === undefined ? 0 : Number(m[1]);
};

/** The allocator's statistics for a CUDA device ('cuda' is 'cuda:0'), or null where they are not compiled in. */
export function cudaMemoryStats(device = "cuda"): CudaMemoryStats | null {
  return N.cudaMemoryStats(indexOf(device));
}

/** Starts a new peak for cudaMemoryStats(device).peak. */
export function resetCudaPeakMemory(device = "cuda"): void {
  N.cudaResetPeakMemory(indexOf(device));
}
