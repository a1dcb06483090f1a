/**
 * The shape of the native addon (native/src/*.cc), the only description of it on the TypeScript side.
 * Handles are opaque: a tensor handle holds one libtorch tensor until `dispose`. Numbers stand in for
 * scalars, `null` for "absent"; dtypes travel as libtorch ScalarType codes (see dtype.ts).
 * test/engine/native_surface.test.ts checks that these names and the addon's exports agree.
 */
declare const tensorBrand: unique symbol;
declare const generatorBrand: unique symbol;
/** A tensor handle: a BigInt naming a slab slot and its generation (native/src/common.h). Opaque to JS. */
export type NativeHandle = bigint & { readonly [tensorBrand]: true };
export interface NativeGenerator {
  readonly [generatorBrand]: true;
}

type H = NativeHandle;
/** A tensor or a scalar operand. */
type HS = H | number | boolean;
type Dims = number[] | null;
type DtCode = number;
type Dev = string | null;
type Gen = NativeGenerator | null;
type Pair = [H, H];

/** What kind of failure a native error is: the factory passed to setErrorFactory receives it. */
export type NativeErrorKind = "torch" | "argument" | "disposed" | "internal";

/** What native/src/host_allocator.cc set when the addon loaded (thresholds 0 when it left glibc's defaults). */
export interface HostAllocatorPolicy {
  applied: boolean;
  reason: string;
  mmapThreshold: number;
  trimThreshold: number;
}

export interface NativeAddon {
  // ---- module / memory / info (common.cc, core.cc)
  setErrorFactory(factory: (op: string, kind: NativeErrorKind, message: string) => Error): void;
  liveHandles(): number;
  liveBytes(): number;
  hostAllocatorPolicy(): HostAllocatorPolicy;
  dispose(h: H): void;
  isDisposed(h: H): boolean;
  version(): string;
  parallelInfo(): string;
  blasInfo(): { libraries: string[]; openblasThreadControl: boolean };
  cudaDeviceCount(): number;
  builtWithCuda(): boolean;
  setNumThreads(n: number): void;
  // ---- CUDA settings and allocator statistics (cuda_info.cc); the statistics are null where not compiled in
  setAllowTf32(allow: boolean): void;
  cudaMemoryStats(device: number): { allocated: number; peak: number; reserved: number } | null;
  cudaResetPeakMemory(device: number): void;
  getNumThreads(): number;

  // ---- metadata and host copies
  shape(h: H): number[];
  strides(h: H): number[];
  dtype(h: H): DtCode;
  device(h: H): string;
  isContiguous(h: H): boolean;
  fromBytes(bytes: ArrayBufferView, shape: number[], dtype: DtCode, device: Dev): H;
  toBytes(h: H, dtype: DtCode | null): ArrayBuffer;
  item(h: H): number;

  // ---- factories and conversions
  empty(shape: number[], dtype: DtCode, device: Dev): H;
  zeros(shape: number[], dtype: DtCode, device: Dev): H;
  ones(shape: number[], dtype: DtCode, device: Dev): H;
  full(shape: number[], value: number | boolean, dtype: DtCode, device: Dev): H;
  arange(start: number, end: number, step: number, dtype: DtCode, device: Dev): H;
  linspace(start: number, end: number, steps: number, dtype: DtCode, device: Dev): H;
  eye(n: number, m: number, dtype: DtCode, device: Dev): H;
  zerosLike(h: H): H;
  onesLike(h: H): H;
  fullLike(h: H, value: number | boolean): H;
  to(h: H, dtype: DtCode | null, device: Dev, copy: boolean): H;
  clone(h: H): H;
  contiguous(h: H): H;
  alias(h: H): H;

  // ---- random (random.cc)
  manualSeed(seed: number): void;
  generatorNew(seed: number): NativeGenerator;
  generatorSetSeed(g: NativeGenerator, seed: number): void;
  randn(shape: number[], dtype: DtCode, device: Dev, gen: Gen): H;
  rand(shape: number[], dtype: DtCode, device: Dev, gen: Gen): H;
  randint(low: number, high: number, shape: number[], dtype: DtCode, device: Dev, gen: Gen): H;
  randperm(n: number, dtype: DtCode, device: Dev, gen: Gen): H;
  normal_(h: H, mean: number, std: number, gen: Gen): void;
  uniform_(h: H, from: number, to: number, gen: Gen): void;
  bernoulli_(h: H, p: number, gen: Gen): void;
  dropout(h: H, p: number, train: boolean, gen: Gen): H;

  // ---- shape ops (shape.cc)
  reshape(h: H, shape: number[]): H;
  view(h: H, shape: number[]): H;
  permute(h: H, dims: number[]): H;
  transpose(h: H, d0: number, d1: number): H;
  flatten(h: H, start: number, end: number): H;
  squeeze(h: H, dim: number | null): H;
  unsqueeze(h: H, dim: number): H;
  narrow(h: H, dim: number, start: number, length: number): H;
  slice(h: H, dim: number, start: number | null, end: number | null, step: number): H;
  select(h: H, dim: number, index: number): H;
  expand(h: H, shape: number[]): H;
  repeat(h: H, repeats: number[]): H;
  flip(h: H, dims: number[]): H;
  roll(h: H, shifts: number[], dims: number[]): H;
  triu(h: H, diagonal: number): H;
  tril(h: H, diagonal: number): H;
  indexSelect(h: H, dim: number, index: H): H;
  gather(h: H, dim: number, index: H): H;
  scatter(h: H, dim: number, index: H, src: H | number): H;
  scatterAdd(h: H, dim: number, index: H, src: H): H;
  index(h: H, indices: (H | null)[]): H;
  indexPut_(h: H, indices: (H | null)[], values: H, accumulate: boolean): void;
  cat(hs: H[], dim: number): H;
  stack(hs: H[], dim: number): H;
  chunk(h: H, chunks: number, dim: number): H[];
  split(h: H, size: number | number[], dim: number): H[];
  unbind(h: H, dim: number): H[];
  maskedFill(h: H, mask: H, value: HS): H;
  maskedFill_(h: H, mask: H, value: HS): void;
  where(cond: H, a: H | number, b: H | number): H;

  // ---- elementwise (math.cc)
  neg(h: H): H; exp(h: H): H; log(h: H): H; log2(h: H): H; log1p(h: H): H; expm1(h: H): H;
  sqrt(h: H): H; rsqrt(h: H): H; abs(h: H): H; sigmoid(h: H): H; tanh(h: H): H; relu(h: H): H;
  sign(h: H): H; reciprocal(h: H): H; sin(h: H): H; cos(h: H): H; floor(h: H): H; ceil(h: H): H;
  round(h: H): H; trunc(h: H): H; erf(h: H): H; square(h: H): H; logicalNot(h: H): H;
  isnan(h: H): H; isinf(h: H): H; isfinite(h: H): H; silu(h: H): H; logSigmoid(h: H): H;
  zero_(h: H): void; sqrt_(h: H): void; exp_(h: H): void; neg_(h: H): void; abs_(h: H): void;
  relu_(h: H): void; sigmoid_(h: H): void; reciprocal_(h: H): void;
  add(a: H, b: HS, alpha: number): H;
  sub(a: H, b: HS, alpha: number): H;
  rsub(a: H, b: HS, alpha: number): H;
  mul(a: H, b: HS): H;
  div(a: H, b: HS, roundingMode: "trunc" | "floor" | null): H;
  pow(a: H | number, b: HS): H;
  remainder(a: H, b: HS): H;
  eq(a: H, b: HS): H; ne(a: H, b: HS): H; lt(a: H, b: HS): H; le(a: H, b: HS): H; gt(a: H, b: HS): H;
  ge(a: H, b: HS): H;
  maximum(a: H, b: H): H; minimum(a: H, b: H): H;
  logicalAnd(a: H, b: H): H; logicalOr(a: H, b: H): H; logicalXor(a: H, b: H): H;
  clamp(h: H, min: number | null, max: number | null): H;
  clamp_(h: H, min: number | null, max: number | null): void;
  addcmul(h: H, t1: H, t2: H, value: number): H;
  addcdiv(h: H, t1: H, t2: H, value: number): H;
  lerp(h: H, end: H, weight: H | number): H;
  add_(h: H, b: HS, alpha: number): void;
  sub_(h: H, b: HS, alpha: number): void;
  mul_(h: H, b: HS): void;
  div_(h: H, b: HS): void;
  pow_(h: H, b: HS): void;
  fill_(h: H, value: HS): void;
  addcmul_(h: H, t1: H, t2: H, value: number): void;
  addcdiv_(h: H, t1: H, t2: H, value: number): void;
  lerp_(h: H, end: H, weight: H | number): void;
  copy_(h: H, src: H): void;

  // ---- reductions (reduce.cc)
  sum(h: H, dims: Dims, keepdim: boolean, dtype: DtCode | null): H;
  mean(h: H, dims: Dims, keepdim: boolean): H;
  prod(h: H, dim: number | null, keepdim: boolean): H;
  amax(h: H, dims: number[], keepdim: boolean): H;
  amin(h: H, dims: number[], keepdim: boolean): H;
  maxAll(h: H): H;
  minAll(h: H): H;
  maxDim(h: H, dim: number, keepdim: boolean): Pair;
  minDim(h: H, dim: number, keepdim: boolean): Pair;
  argmax(h: H, dim: number | null, keepdim: boolean): H;
  argmin(h: H, dim: number | null, keepdim: boolean): H;
  topk(h: H, k: number, dim: number, largest: boolean, sorted: boolean): Pair;
  sort(h: H, dim: number, descending: boolean): Pair;
  norm(h: H, p: number, dims: Dims, keepdim: boolean): H;
  logsumexp(h: H, dims: number[], keepdim: boolean): H;
  var(h: H, dims: Dims, correction: number, keepdim: boolean): H;
  std(h: H, dims: Dims, correction: number, keepdim: boolean): H;
  cumsum(h: H, dim: number): H;
  all(h: H): H;
  any(h: H): H;
  allclose(a: H, b: H, rtol: number, atol: number): boolean;

  // ---- linear algebra and nn (nn.cc, attention.cc, custom_functions.cc)
  matmul(a: H, b: H): H;
  mm(a: H, b: H): H;
  bmm(a: H, b: H): H;
  outer(a: H, b: H): H;
  addmm(input: H, a: H, b: H, beta: number, alpha: number): H;
  baddbmm(input: H, a: H, b: H, beta: number, alpha: number): H;
  linear(x: H, weight: H, bias: H | null): H;
  conv2d(x: H, weight: H, bias: H | null, stride: number[], padding: number[], dilation: number[], groups: number): H;
  layerNorm(x: H, normalizedShape: number[], weight: H | null, bias: H | null, eps: number): H;
  gelu(x: H, approximate: "none" | "tanh"): H;
  softmax(x: H, dim: number, dtype: DtCode | null): H;
  logSoftmax(x: H, dim: number, dtype: DtCode | null): H;
  crossEntropy(logits: H, target: H, weight: H | null, reduction: number, ignoreIndex: number, labelSmoothing: number): H;
  mseLoss(a: H, b: H, reduction: number): H;
  embedding(weight: H, indices: H, paddingIdx: number): H;
  normalize(x: H, p: number, dims: number[], eps: number): H;
  attention(q: H, k: H, v: H, mask: H | null, causal: boolean, dropoutP: number, scale: number, gen: Gen): H;
  quickGelu(x: H): H;

  // ---- autograd and autocast (autograd.cc)
  requiresGrad(h: H): boolean;
  setRequiresGrad(h: H, value: boolean): void;
  isLeaf(h: H): boolean;
  retainGrad(h: H): void;
  detach(h: H): H;
  hasGradFn(h: H): boolean;
  grad(h: H, cached: H | null): H | undefined;
  setGrad(h: H, grad: H | null): void;
  backward(h: H, gradient: H | null, retainGraph: boolean, createGraph: boolean): void;
  autogradGrad(outputs: H[], inputs: H[], gradOutputs: H[] | null, retainGraph: boolean, createGraph: boolean): (H | undefined)[];
  isGradEnabled(): boolean;
  setGradEnabled(value: boolean): void;
  autocastPush(device: "cpu" | "cuda", enabled: boolean, dtype: DtCode): [boolean, DtCode];
  autocastPop(device: "cpu" | "cuda", previousEnabled: boolean, previousDtype: DtCode): void;
  isAutocastEnabled(device: "cpu" | "cuda"): boolean;

  // ---- fused CPU kernels with hand-written backward (fused_*.cc), fused AdamW (optim_fused.cc)
  fusedLayerNorm(x: H, weight: H | null, bias: H | null, eps: number, outDtype: DtCode | null): H;
  fusedLayerNormPassthrough(x: H, weight: H | null, bias: H | null, eps: number, outDtype: DtCode | null): Pair;
  /** activation: 0 none, 1 gelu, 2 quick_gelu */
  fusedLinear(x: H, weight: H, bias: H | null, activation: number, residual: H | null, floatOutput: boolean): H;
  fusedSelfAttention(qkv: H, heads: number, causal: boolean, scale: number, qNormWeight: H | null, qNormBias: H | null,
    kNormWeight: H | null, kNormBias: H | null, eps: number): H;
  adamwStep(params: H[], grads: H[], expAvgs: H[], expAvgSqs: H[], maxExpAvgSqs: H[] | null, stepSizes: number[],
    bc2Sqrts: number[], lr: number, weightDecay: number, beta1: number, beta2: number, eps: number, maximize: boolean,
    steps?: number[] | null): void;

  // ---- libtorch's op profiler (profiler.cc)
  profilerStart(path: string): void;
  profilerStop(): void;

  // ---- data parallelism over c10d (distributed*.cc); every call but distBackends/distInfo/distDestroy throws
  // "built without distributed support" when the addon was compiled without c10d/Gloo
  distBackends(): ("gloo" | "nccl")[];
  distInit(backend: "gloo" | "nccl", rank: number, world: number, masterAddr: string, masterPort: number, timeoutMs: number, ifname: string | null, agentPrefix: string | null): void;
  distInfo(): { backend: "gloo" | "nccl"; rank: number; world: number; broken: string | null } | null;
  distBarrier(timeoutMs: number): void;
  distDestroy(): boolean;
  distAllreduce(hs: H[], average: boolean, bucketBytes: number): void;
  distBroadcast(hs: H[], root: number, bucketBytes: number): void;
  distAllgather(h: H): H;
  distAllgatherWithGrad(h: H): H;
  distReduceScatter(h: H, average: boolean): H;
  distWatchLifeline(fd: number): void;
}
