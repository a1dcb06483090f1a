/**
 * The tensor engine: libtorch tensors, autograd and kernels from TypeScript.
 *
 * Memory: every op returns a new Tensor that owns native memory until `dispose()`, the end of the enclosing
 * `tidy()` scope, or the end of a `using` block. In-place ops (`add_`, `mul_`, ...) return `this`.
 */
export { Tensor, type NestedArray, type BackwardOptions, type ValuesIndices } from "./tensor.js";
export type { DType } from "./dtype.js";
export { isFloating, itemSize } from "./dtype.js";
export type { Device } from "./device.js";
export { checkDevice, cudaAvailable, cudaDeviceCount } from "./device.js";
export { setAllowTf32, cudaMemoryStats, resetCudaPeakMemory, type CudaMemoryStats } from "./cuda.js";
export {
  tensor, scalar, fromHost, zeros, ones, empty, full, arange, linspace, eye, zerosLike, onesLike, fullLike,
  type TensorOptions,
} from "./create.js";
export { Generator, manualSeed, randn, rand, randint, randperm, type RandomOptions } from "./random.js";
export {
  cat, stack, where, addmm, baddbmm, linear, conv2d, layerNorm, crossEntropy, mseLoss, embedding,
  scaledDotProductAttention, softmax, logSoftmax, gelu, quickGelu, dropout, normalize,
  type Conv2dOptions, type CrossEntropyOptions, type AttentionOptions, type Reduction,
} from "./functional.js";
export {
  noGrad, enableGrad, isGradEnabled, autocast, isAutocastEnabled, grad, type AutocastOptions, type GradOptions,
} from "./autograd.js";
export { tidy, keep, liveTensors, liveBytes, leakedTensors, hostAllocatorPolicy } from "./memory.js";
export { setNumThreads, getNumThreads } from "./threads.js";
export { startOpTrace, stopOpTrace } from "./profiler.js";
export {
  fusedLinear, fusedLayerNorm, fusedLayerNormWithResidual, fusedSelfAttention,
  type FusedActivation, type FusedLinearOptions, type FusedSelfAttentionOptions,
} from "./fused.js";
export { adamwKernelStep, type AdamWKernelParam, type AdamWKernelOptions } from "./adamw_kernel.js";
export { engineInfo, type EngineInfo } from "./info.js";
export { EngineError, type EngineErrorKind } from "./errors/engine_error.js";
export { DisposedTensorError } from "./errors/disposed_tensor_error.js";
