// Matrix products for the fused ops, through oneDNN's C API when libtorch brought libdnnl along (Debian's
// libtorch links it dynamically): dnnl_sgemm, and dnnl_gemm_bf16bf16f32, which writes float from bf16 inputs so
// that a bf16 product can accumulate straight into an f32 residual stream or an f32 weight gradient. Both run
// on libtorch's own OpenMP threads; OpenBLAS (ATen's f32 matmul here) keeps a second pool that competes with
// them for the cores. Measured on 2 cores, transformer shapes: dnnl_sgemm 100-110 GFLOP/s, OpenBLAS 70-95.
// Without libdnnl (a pip torch links it statically and hides it), or with LACLIP_NO_DNNL_GEMM=1 (to compare),
// every product falls back to ATen.
#pragma once

#include <ATen/record_function.h>
#include <dlfcn.h>

#include "common.h"

namespace lc {

namespace gemm_detail {
using Sgemm = int (*)(char, char, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t,
                      float, float*, int64_t);
using GemmBf16 = int (*)(char, char, int64_t, int64_t, int64_t, float, const void*, int64_t, const void*, int64_t,
                         float, float*, int64_t);

struct Dnnl {
  Sgemm sgemm = nullptr;
  GemmBf16 bf16 = nullptr;
};

// Looks the symbols up in an already loaded libdnnl only (RTLD_NOLOAD): never loads a second copy.
inline const Dnnl& Lookup() {
  static const Dnnl d = [] {
    Dnnl r;
    if (const char* off = std::getenv("LACLIP_NO_DNNL_GEMM"); off != nullptr && off[0] == '1') return r;
    for (const char* lib : {"libdnnl.so.3", "libdnnl.so.2", "libdnnl.so"}) {
      void* h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD);
      if (h == nullptr) continue;
      r.sgemm = reinterpret_cast<Sgemm>(dlsym(h, "dnnl_sgemm"));
      r.bf16 = reinterpret_cast<GemmBf16>(dlsym(h, "dnnl_gemm_bf16bf16f32"));
      if (r.sgemm != nullptr) break;
    }
    return r;
  }();
  return d;
}
}  // namespace gemm_detail

// Whether products of `in` inputs into float outputs go through oneDNN.
inline bool DnnlGemmAvailable(at::ScalarType in) {
  const auto& d = gemm_detail::Lookup();
  return in == at::kFloat ? d.sgemm != nullptr : in == at::kBFloat16 ? d.bf16 != nullptr : false;
}

// c (M, N) = op(a) op(b) + beta c, all row-major and contiguous; op(a) is (M, K): a is (M, K), or (K, M) when
// `ta`; op(b) is (K, N): b is (K, N), or (N, K) when `tb`. c is float or double; a and b are c's dtype, or bf16
// for a float c. Uses oneDNN when it can, ATen otherwise (same result up to summation order).
inline void GemmInto(at::Tensor& c, const at::Tensor& a, bool ta, const at::Tensor& b, bool tb, float beta) {
  RECORD_FUNCTION("lc::gemm", std::vector<c10::IValue>());
  const int64_t M = c.size(0), N = c.size(1), K = ta ? a.size(0) : a.size(1);
  TORCH_CHECK(c.is_contiguous() && a.is_contiguous() && b.is_contiguous(), "GemmInto: operands must be contiguous");
  const auto& d = gemm_detail::Lookup();
  const char A = ta ? 'T' : 'N', B = tb ? 'T' : 'N';
  const int64_t lda = a.size(1), ldb = b.size(1);
  if (c.scalar_type() == at::kFloat && M > 0 && N > 0 && K > 0) {
    int status = -1;
    if (a.scalar_type() == at::kFloat && b.scalar_type() == at::kFloat && d.sgemm != nullptr) {
      status = d.sgemm(A, B, M, N, K, 1.0f, a.data_ptr<float>(), lda, b.data_ptr<float>(), ldb, beta, c.data_ptr<float>(), N);
    } else if (a.scalar_type() == at::kBFloat16 && b.scalar_type() == at::kBFloat16 && d.bf16 != nullptr) {
      status = d.bf16(A, B, M, N, K, 1.0f, a.data_ptr(), lda, b.data_ptr(), ldb, beta, c.data_ptr<float>(), N);
    }
    if (status == 0) return;
  }
  at::Tensor prod = at::mm(ta ? a.t() : a, tb ? b.t() : b);  // (M, N) in the inputs' dtype
  if (beta == 0.0f) {
    c.copy_(prod);
  } else {
    if (beta != 1.0f) c.mul_(beta);
    c.add_(prod);
  }
}

}  // namespace lc
