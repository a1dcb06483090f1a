// The per-head matrix products of the fused attention (fused_attention.cc): a register-tiled loop kernel and
// the dispatcher that prefers oneDNN's gemm (single-threaded inside the attention's parallel tasks).
#pragma once

#include <type_traits>
#include <vector>

#include "gemm.h"
#include "kernels.h"

namespace lc::attn {

// out (M, N) (+)= a (M, K) b (K, N), row-major with leading dimensions ldo, lda, ldb. Register tiles of 4 rows
// x 16 columns: each row of b loaded once feeds 4 rows of accumulators held in vector registers (callers pad
// N to a multiple of 16 where they can, so that no column falls to the slow remainder loop). With `causalN`
// only columns j <= (last row of the tile) are computed (entries above the diagonal are left unset: the callers
// zero them); with `causalK` row i sums only k <= i (a is zero beyond: probabilities of the future).
template <typename C>
LC_INLINE void MatMul(C* __restrict out, int64_t ldo, const C* __restrict a, int64_t lda, const C* __restrict b,
                      int64_t ldb, int64_t M, int64_t K, int64_t N, bool causalN, bool causalK) {
  constexpr int64_t R = 4, W = 16;
  for (int64_t i0 = 0; i0 < M; i0 += R) {
    const int64_t rows = std::min(R, M - i0);
    const int64_t kEnd = causalK ? std::min(K, i0 + rows) : K;
    const int64_t nEnd = causalN ? std::min(N, i0 + rows) : N;
    for (int64_t j0 = 0; j0 < nEnd; j0 += W) {
      const int64_t cols = std::min(W, nEnd - j0);
      if (rows == R && cols == W) {
        C acc[R][W] = {};
        for (int64_t kk = 0; kk < kEnd; ++kk) {
          const C* br = b + kk * ldb + j0;
          const C a0 = a[i0 * lda + kk], a1 = a[(i0 + 1) * lda + kk], a2 = a[(i0 + 2) * lda + kk],
                  a3 = a[(i0 + 3) * lda + kk];
          for (int64_t w = 0; w < W; ++w) {
            acc[0][w] += a0 * br[w];
            acc[1][w] += a1 * br[w];
            acc[2][w] += a2 * br[w];
            acc[3][w] += a3 * br[w];
          }
        }
        for (int64_t r = 0; r < R; ++r)
          for (int64_t w = 0; w < W; ++w) out[(i0 + r) * ldo + j0 + w] = acc[r][w];
      } else {
        for (int64_t r = 0; r < rows; ++r) {
          C* o = out + (i0 + r) * ldo + j0;
          for (int64_t w = 0; w < cols; ++w) o[w] = 0;
          const C* ar = a + (i0 + r) * lda;
          for (int64_t kk = 0; kk < kEnd; ++kk) {
            const C s = ar[kk];
            const C* br = b + kk * ldb + j0;
            for (int64_t w = 0; w < cols; ++w) o[w] += s * br[w];
          }
        }
      }
    }
  }
}

// dst (cols, ldd) = src (rows, lds)^T over the first `cols` columns of src.
template <typename C>
LC_INLINE void Transpose(C* __restrict dst, int64_t ldd, const C* __restrict src, int64_t lds, int64_t rows,
                         int64_t cols) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) dst[c * ldd + r] = src[r * lds + c];
}

// The per-head products out (M, N) = op(a) (M, K) op(b) (K, N), with op(x) = x, or x^T when ta / tb (a, b
// row-major with leading dimensions lda, ldb as stored). oneDNN when present: sgemm, or with `lowp` the
// operands rounded to bf16 and gemm_bf16bf16f32 (float out). Called inside the parallel loop, oneDNN runs on
// the calling thread. Otherwise (and for double) explicit transposes and the tiled loops, which also skip the
// work the causal mask makes moot (causalN, causalK as for MatMul).
template <typename C>
struct Products {
  const gemm_detail::Dnnl& dnnl = gemm_detail::Lookup();
  bool lowp = false;
  std::vector<C> ta, tb;
  std::vector<k::bf16> la, lb;

  static void Round(std::vector<k::bf16>& dst, const float* src, int64_t rows, int64_t ld) {
    if (dst.size() < static_cast<size_t>(rows * ld)) dst.resize(static_cast<size_t>(rows * ld));
    for (int64_t i = 0; i < rows * ld; ++i) k::St(dst.data(), i, src[i]);
  }

  void operator()(C* out, int64_t ldo, const C* a, int64_t lda, bool transA, const C* b, int64_t ldb, bool transB,
                  int64_t M, int64_t K, int64_t N, bool causalN, bool causalK) {
    if constexpr (std::is_same_v<C, float>) {
      const char A = transA ? 'T' : 'N', B = transB ? 'T' : 'N';
      if (lowp && dnnl.bf16 != nullptr) {
        Round(la, a, transA ? K : M, lda);
        Round(lb, b, transB ? N : K, ldb);
        if (dnnl.bf16(A, B, M, N, K, 1.0f, la.data(), lda, lb.data(), ldb, 0.0f, out, ldo) == 0) return;
      } else if (!lowp && dnnl.sgemm != nullptr) {
        if (dnnl.sgemm(A, B, M, N, K, 1.0f, a, lda, b, ldb, 0.0f, out, ldo) == 0) return;
      }
    }
    // Fallback: a as (M, K), b as (K, Np) with Np = N rounded up to 16 when out has room (zero columns).
    if (transA) {
      ta.assign(static_cast<size_t>(M * K), C(0));
      Transpose(ta.data(), K, a, lda, K, M);
      a = ta.data();
      lda = K;
    }
    int64_t np = N;
    if (transB) {
      np = (N + 15) / 16 * 16 <= ldo ? (N + 15) / 16 * 16 : N;
      tb.assign(static_cast<size_t>(K * np), C(0));
      Transpose(tb.data(), np, b, ldb, N, K);
      b = tb.data();
      ldb = np;
    }
    MatMul<C>(out, ldo, a, lda, b, ldb, M, K, np, causalN, causalK);
  }
};

}  // namespace lc::attn
