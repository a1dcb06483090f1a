// One (batch, head) task of the fused attention (fused_attention.cc): its dimensions, scratch buffers, and the
// gather of q, k, v from the packed qkv rows with timm's per-head qk-norm (forward and backward).
#pragma once

#include <limits>
#include <vector>

#include "kernels.h"

namespace lc::attn {

struct Dims {
  int64_t B, T, E, H, hd;
  bool causal;
  double scale, eps;
  bool qNorm, kNorm;
  bool lowp;  // products on bf16 operands (bf16 input, or f32 input under CPU autocast)
};

// Gathers part `which` (0 q, 1 k, 2 v) of head h of batch b into dst (T, hd).
template <typename TQ, typename C>
LC_INLINE void Gather(C* dst, const TQ* qkv, const Dims& d, int64_t b, int64_t h, int which) {
  for (int64_t t = 0; t < d.T; ++t) {
    const int64_t base = ((b * d.T + t) * 3 + which) * d.E + h * d.hd;
    for (int64_t j = 0; j < d.hd; ++j) dst[t * d.hd + j] = k::Ld(qkv, base + j);
  }
}

// Row r of the scores (T entries, the first n live, the rest masked) -> p = softmax(r * scale) in p's dtype,
// masked entries exactly 0 (as softmax of -inf gives). r is overwritten; p may be r itself.
template <typename C, typename TP>
LC_INLINE void SoftmaxRow(C* r, TP* p, int64_t n, int64_t T, C scale) {
  C mx = -std::numeric_limits<C>::infinity();
#pragma omp simd reduction(max : mx)
  for (int64_t j = 0; j < n; ++j) {
    r[j] *= scale;
    mx = r[j] > mx ? r[j] : mx;
  }
  C sum = 0;
#pragma omp simd reduction(+ : sum)
  for (int64_t j = 0; j < n; ++j) {
    r[j] = k::Exp(r[j] - mx);
    sum += r[j];
  }
  const C inv = C(1) / sum;
  for (int64_t j = 0; j < n; ++j) k::St(p, j, r[j] * inv);
  for (int64_t j = n; j < T; ++j) k::St(p, j, C(0));
}

// Head h's output o (T, hd) into its columns of out (B, T, E).
template <typename TO, typename C>
LC_INLINE void StoreHead(TO* out, const C* o, const Dims& d, int64_t b, int64_t h) {
  for (int64_t t = 0; t < d.T; ++t) {
    TO* dst = out + (b * d.T + t) * d.E + h * d.hd;
    for (int64_t j = 0; j < d.hd; ++j) k::St(dst, j, o[t * d.hd + j]);
  }
}

// Normalises one row x (hd) in place to xhat, writes y = xhat w + b in y's dtype, and returns rstd.
template <typename C, typename TY>
LC_INLINE C NormRow(C* __restrict x, TY* __restrict y, const C* __restrict w, const C* __restrict bias, int64_t hd, C eps) {
  C s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t j = 0; j < hd; ++j) s += x[j];
  const C mu = s / C(hd);
  C q = 0;
#pragma omp simd reduction(+ : q)
  for (int64_t j = 0; j < hd; ++j) q += (x[j] - mu) * (x[j] - mu);
  const C rs = C(1) / std::sqrt(q / C(hd) + eps);
  for (int64_t j = 0; j < hd; ++j) {
    x[j] = (x[j] - mu) * rs;
    k::St(y, j, x[j] * w[j] + bias[j]);
  }
  return rs;
}

// Normalises each row of x (T, hd) in place to xhat, keeps rstd, then writes y = xhat w + b.
template <typename C>
LC_INLINE void NormRows(C* __restrict x, C* __restrict y, C* __restrict rstd, const C* __restrict w,
                        const C* __restrict bias, int64_t T, int64_t hd, C eps) {
  for (int64_t t = 0; t < T; ++t) rstd[t] = NormRow<C, C>(x + t * hd, y + t * hd, w, bias, hd, eps);
}

// LayerNorm backward of rows given xhat and rstd: dx in place of dy; dw += dy xhat, db += dy.
template <typename C>
LC_INLINE void NormRowsBackward(C* __restrict dy, const C* __restrict xhat, const C* __restrict rstd, const C* __restrict w,
                                C* __restrict dw, C* __restrict db, int64_t T, int64_t hd) {
  for (int64_t t = 0; t < T; ++t) {
    C* g = dy + t * hd;
    const C* xh = xhat + t * hd;
    C sg = 0, sgx = 0;
#pragma omp simd reduction(+ : sg, sgx)
    for (int64_t j = 0; j < hd; ++j) {
      dw[j] += g[j] * xh[j];
      db[j] += g[j];
      C gw = g[j] * w[j];
      sg += gw;
      sgx += gw * xh[j];
    }
    const C mg = sg / C(hd), mgx = sgx / C(hd);
    for (int64_t j = 0; j < hd; ++j) g[j] = rstd[t] * (g[j] * w[j] - mg - xh[j] * mgx);
  }
}

struct Norms {
  const void* qw;
  const void* qb;
  const void* kw;
  const void* kb;
};

// Per-thread scratch: q, k, v (T, hd), their normalised inputs, gradients and score-sized matrices (T, ldT),
// with ldT = T rounded up to 16 so that the fallback products over the key axis run in full tiles (padding
// columns are never read).
template <typename C>
struct Scratch {
  std::vector<C> buf;
  int64_t ldT;
  C *q, *k, *v, *xq, *xk, *o, *g1, *g2, *g3, *s, *s2, *rq, *rk;
  explicit Scratch(const Dims& d) : ldT((d.T + 15) / 16 * 16) {
    const int64_t th = d.T * d.hd, sp = d.T * ldT;
    buf.assign(static_cast<size_t>(9 * th + 2 * sp + 2 * d.T), C(0));
    C* p = buf.data();
    for (C** slot : {&q, &k, &v, &xq, &xk, &o, &g1, &g2, &g3}) {
      *slot = p;
      p += th;
    }
    s = p; p += sp;
    s2 = p; p += sp;
    rq = p; p += d.T;
    rk = p;
  }
};

// q, k (normalised when asked), v of one (batch, head) pair.
template <typename TQ, typename C>
LC_INLINE void LoadHead(Scratch<C>& w, const TQ* qkv, const Dims& d, const Norms& n, int64_t b, int64_t h) {
  if (d.qNorm) {
    Gather(w.xq, qkv, d, b, h, 0);
    NormRows<C>(w.xq, w.q, w.rq, static_cast<const C*>(n.qw), static_cast<const C*>(n.qb), d.T, d.hd, C(d.eps));
  } else {
    Gather(w.q, qkv, d, b, h, 0);
  }
  if (d.kNorm) {
    Gather(w.xk, qkv, d, b, h, 1);
    NormRows<C>(w.xk, w.k, w.rk, static_cast<const C*>(n.kw), static_cast<const C*>(n.kb), d.T, d.hd, C(d.eps));
  } else {
    Gather(w.k, qkv, d, b, h, 1);
  }
  Gather(w.v, qkv, d, b, h, 2);
}

}  // namespace lc::attn
