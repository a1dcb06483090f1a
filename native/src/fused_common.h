// Shared helpers of the fused ops (fused_*.cc): dtype dispatch over the (input, output) pairs they support and
// row-parallel loops with per-thread accumulators (for weight and bias gradients, summed over rows).
#pragma once

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <ATen/record_function.h>

#include "common.h"
#include "kernels.h"

namespace lc {

// Calls f(TagA{}, TagB{}) with pointers typed as the two dtypes, for the pairs the fused kernels take:
// (f32, f32), (f32, bf16), (bf16, bf16), (bf16, f32), (f64, f64). Returns false for any other pair.
template <typename T> struct Tag { using type = T; };

template <typename F>
bool DispatchPair(at::ScalarType a, at::ScalarType b, F&& f) {
  using k::bf16;
  if (a == at::kFloat && b == at::kFloat) return f(Tag<float>{}, Tag<float>{}), true;
  if (a == at::kFloat && b == at::kBFloat16) return f(Tag<float>{}, Tag<bf16>{}), true;
  if (a == at::kBFloat16 && b == at::kBFloat16) return f(Tag<bf16>{}, Tag<bf16>{}), true;
  if (a == at::kBFloat16 && b == at::kFloat) return f(Tag<bf16>{}, Tag<float>{}), true;
  if (a == at::kDouble && b == at::kDouble) return f(Tag<double>{}, Tag<double>{}), true;
  return false;
}

// The dtype a kernel computes in for tensors of dtype t: double for double, float otherwise.
inline at::ScalarType AccType(at::ScalarType t) { return t == at::kDouble ? at::kDouble : at::kFloat; }

// Runs body(begin, end, acc) over rows [0, rows) in parallel. `acc` points at `width` zeroed accumulators of
// type C owned by the calling thread; the result is their sum over threads, a (width,) tensor of dtype `acc`.
template <typename C, typename F>
at::Tensor RowsWithAccumulators(int64_t rows, int64_t width, int64_t grain, at::ScalarType acc, F&& body) {
  int threads = at::get_num_threads();
  at::Tensor parts = at::zeros({threads, width}, at::TensorOptions().dtype(acc));
  C* base = parts.data_ptr<C>();
  at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
    body(begin, end, base + static_cast<int64_t>(at::get_thread_num()) * width);
  });
  return threads == 1 ? parts[0] : parts.sum(0);
}

// The lower-precision dtype under CPU autocast, or nullopt when autocast is off (or x is not on the CPU).
inline c10::optional<at::ScalarType> CpuAutocastDtype(const at::Tensor& x) {
  if (!x.device().is_cpu() || !at::autocast::is_cpu_enabled()) return c10::nullopt;
  return at::autocast::get_autocast_cpu_dtype();
}

}  // namespace lc
