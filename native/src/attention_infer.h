// The no-grad forward of the fused attention with bf16 products (bf16 input, or f32 input under CPU autocast)
// when oneDNN's bf16 gemm is present (fused_attention.cc). q, k, v and the probabilities are written as bf16 by
// the loops that make them (qk-norm and softmax compute in float), so the products read them as they are: no
// float copies, no rounding passes, no probabilities kept. Same numbers as the training forward's bf16 path.
#pragma once

#include <vector>

#include "attention_head.h"
#include "gemm.h"

namespace lc::attn {

// Part `which` (0 q, 1 k, 2 v) of head h of batch b as bf16 rows dst (T, hd), LayerNormed over hd first when
// w (and bias) are given.
template <typename TQ>
LC_INLINE void LoadBf16(k::bf16* __restrict dst, const TQ* qkv, const Dims& d, int64_t b, int64_t h, int which,
                        const float* w, const float* bias) {
  const int64_t hd = d.hd;
  float x[256];  // hd <= 256: checked by the caller
  for (int64_t t = 0; t < d.T; ++t) {
    const TQ* src = qkv + ((b * d.T + t) * 3 + which) * d.E + h * hd;
    k::bf16* o = dst + t * hd;
    if (w == nullptr) {
      for (int64_t j = 0; j < hd; ++j) k::St(o, j, k::Ld(src, j));
      continue;
    }
    for (int64_t j = 0; j < hd; ++j) x[j] = k::Ld(src, j);
    NormRow<float, k::bf16>(x, o, w, bias, hd, float(d.eps));
  }
}

template <typename TQ, typename TO>
LC_MULTIVERSION void ForwardHeadsBf16(const TQ* qkv, TO* out, const Dims& d, const Norms& n, int64_t begin, int64_t end) {
  const auto& dnnl = gemm_detail::Lookup();
  const int64_t T = d.T, hd = d.hd, ld = (T + 15) / 16 * 16;
  std::vector<k::bf16> q(T * hd), kk(T * hd), v(T * hd), p(T * ld);
  std::vector<float> s(T * ld), o(T * hd);
  auto f = [](const void* x) { return static_cast<const float*>(x); };
  for (int64_t job = begin; job < end; ++job) {
    const int64_t b = job / d.H, h = job % d.H;
    LoadBf16<TQ>(q.data(), qkv, d, b, h, 0, d.qNorm ? f(n.qw) : nullptr, f(n.qb));
    LoadBf16<TQ>(kk.data(), qkv, d, b, h, 1, d.kNorm ? f(n.kw) : nullptr, f(n.kb));
    LoadBf16<TQ>(v.data(), qkv, d, b, h, 2, nullptr, nullptr);
    int st = dnnl.bf16('N', 'T', T, T, hd, 1.0f, q.data(), hd, kk.data(), hd, 0.0f, s.data(), ld);  // q k^T (T, ld)
    TORCH_CHECK(st == 0, "fusedSelfAttention: oneDNN's bf16 gemm failed with status ", st);
    for (int64_t i = 0; i < T; ++i) SoftmaxRow<float, k::bf16>(s.data() + i * ld, p.data() + i * ld, d.causal ? i + 1 : T, T, float(d.scale));
    st = dnnl.bf16('N', 'N', T, hd, T, 1.0f, p.data(), ld, v.data(), hd, 0.0f, o.data(), hd);  // p v (T, hd)
    TORCH_CHECK(st == 0, "fusedSelfAttention: oneDNN's bf16 gemm failed with status ", st);
    StoreHead<TO, float>(out, o.data(), d, b, h);
  }
}

}  // namespace lc::attn
