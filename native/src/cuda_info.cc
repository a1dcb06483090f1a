// CUDA settings and memory statistics for the GPU check (scripts/device/gpu-check.sh): TF32 switches, and the
// caching allocator's peak bytes (what torch.cuda.max_memory_allocated reports). The allocator's header needs
// the CUDA runtime headers, which torch_config.py adds when it finds them; without them (and in CPU builds) the
// statistics report null.
#include "common.h"

#if defined(LACLIP_WITH_CUDA) && __has_include(<cuda_runtime_api.h>) && __has_include(<c10/cuda/CUDACachingAllocator.h>)
#include <c10/cuda/CUDACachingAllocator.h>
#define LC_HAVE_CUDA_ALLOCATOR_STATS 1
#endif

namespace lc {

#ifdef LC_HAVE_CUDA_ALLOCATOR_STATS
// The allocator keeps per-device state only once CUDA is initialised (lazily, by the first CUDA tensor); before
// that its statistics calls refuse the device. A one-element tensor initialises it on every libtorch version.
static void InitCuda(int64_t d) {
  (void)at::empty({1}, at::TensorOptions().device(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(d))));
}
#endif

// (allow) -> undefined. TF32 in cuBLAS products and cuDNN convolutions (torch.backends.*.allow_tf32).
LC_OP(setAllowTf32) {
  bool allow = B(info, 0);
  at::globalContext().setAllowTF32CuBLAS(allow);
  at::globalContext().setAllowTF32CuDNN(allow);
  return info.Env().Undefined();
}

// (device index) -> {allocated, peak, reserved} in bytes, or null where the statistics are not compiled in.
LC_OP(cudaMemoryStats) {
  int64_t d = I(info, 0);
#ifdef LC_HAVE_CUDA_ALLOCATOR_STATS
  InitCuda(d);
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(d));
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("allocated", static_cast<double>(stats.allocated_bytes[0].current));  // [0]: StatType::AGGREGATE
  o.Set("peak", static_cast<double>(stats.allocated_bytes[0].peak));
  o.Set("reserved", static_cast<double>(stats.reserved_bytes[0].current));
  return o;
#else
  (void)d;
  return info.Env().Null();
#endif
}

// (device index) -> undefined. Starts a new peak (torch.cuda.reset_peak_memory_stats).
LC_OP(cudaResetPeakMemory) {
  int64_t d = I(info, 0);
#ifdef LC_HAVE_CUDA_ALLOCATOR_STATS
  InitCuda(d);
  c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(d));
#else
  (void)d;
#endif
  return info.Env().Undefined();
}

}  // namespace lc
