// The forward and backward passes over a range of (batch, head) tasks of the fused attention
// (fused_attention.cc), each compiled for AVX-512, AVX2 and the baseline.
#pragma once

#include <limits>

#include "attention_head.h"
#include "attention_products.h"

namespace lc::attn {

// With `probs` (training) the probabilities are kept there, (B x heads, T, T), for the backward; without
// (inference) they stay in the task's scratch, so no such tensor is written or paged in.
template <typename TQ, typename TO, typename C>
LC_MULTIVERSION void ForwardHeads(const TQ* qkv, TO* out, C* probs, const Dims& d, const Norms& n, int64_t begin,
                                  int64_t end) {
  Scratch<C> w(d);
  Products<C> prod;
  prod.lowp = d.lowp;
  const int64_t T = d.T, hd = d.hd, ld = w.ldT;
  const int64_t ldp = probs != nullptr ? T : ld;
  for (int64_t job = begin; job < end; ++job) {
    const int64_t b = job / d.H, h = job % d.H;
    LoadHead<TQ, C>(w, qkv, d, n, b, h);
    prod(w.s, ld, w.q, hd, false, w.k, hd, true, T, hd, T, d.causal, false);  // scores q k^T (T, ldT)
    C* p = probs != nullptr ? probs + job * T * T : w.s;                      // (T, ldp)
    for (int64_t i = 0; i < T; ++i) SoftmaxRow<C, C>(w.s + i * ld, p + i * ldp, d.causal ? i + 1 : T, T, C(d.scale));
    prod(w.o, hd, p, ldp, false, w.v, hd, false, T, T, hd, false, d.causal);  // p v (T, hd)
    StoreHead<TO, C>(out, w.o, d, b, h);
  }
}

// acc layout (per thread): [dqw | dqb | dkw | dkb], hd each.
template <typename TQ, typename TG, typename C>
LC_MULTIVERSION void BackwardHeads(const TQ* qkv, const TG* gout, const C* probs, TQ* dqkv, const Dims& d,
                                   const Norms& n, C* acc, int64_t begin, int64_t end) {
  Scratch<C> w(d);
  Products<C> prod;
  prod.lowp = d.lowp;
  const int64_t T = d.T, hd = d.hd, ld = w.ldT;
  for (int64_t job = begin; job < end; ++job) {
    const int64_t b = job / d.H, h = job % d.H;
    LoadHead<TQ, C>(w, qkv, d, n, b, h);
    const C* p = probs + job * T * T;
    C* dO = w.o;
    for (int64_t t = 0; t < T; ++t) {
      const int64_t base = (b * T + t) * d.E + h * hd;
      for (int64_t j = 0; j < hd; ++j) dO[t * hd + j] = k::Ld(gout, base + j);
    }
    C* dv = w.g3;
    prod(dv, hd, p, T, true, dO, hd, false, T, T, hd, false, false);      // dv = p^T dO
    C* ds = w.s2;                                                          // (T, ldT)
    prod(ds, ld, dO, hd, false, w.v, hd, true, T, hd, T, d.causal, false);  // dp = dO v^T
    for (int64_t i = 0; i < T; ++i) {                                      // ds = p (dp - rowsum(p dp)) scale
      const int64_t n_ = d.causal ? i + 1 : T;
      const C* pr = p + i * T;
      C* r = ds + i * ld;
      C dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int64_t j = 0; j < n_; ++j) dot += pr[j] * r[j];
      for (int64_t j = 0; j < n_; ++j) r[j] = pr[j] * (r[j] - dot) * C(d.scale);
      for (int64_t j = n_; j < ld; ++j) r[j] = 0;
    }
    // dq = ds k, dk = ds^T q (gradients of the normalised q, k when qk-norm is on)
    C* dq = w.g1;
    C* dk = w.g2;
    prod(dq, hd, ds, ld, false, w.k, hd, false, T, T, hd, false, d.causal);
    prod(dk, hd, ds, ld, true, w.q, hd, false, T, T, hd, false, false);
    if (d.qNorm) NormRowsBackward<C>(dq, w.xq, w.rq, static_cast<const C*>(n.qw), acc, acc + hd, T, hd);
    if (d.kNorm) NormRowsBackward<C>(dk, w.xk, w.rk, static_cast<const C*>(n.kw), acc + 2 * hd, acc + 3 * hd, T, hd);
    for (int64_t t = 0; t < T; ++t) {
      const int64_t base = (b * T + t) * 3 * d.E + h * hd;
      for (int64_t j = 0; j < hd; ++j) {
        k::St(dqkv, base + j, dq[t * hd + j]);
        k::St(dqkv, base + d.E + j, dk[t * hd + j]);
        k::St(dqkv, base + 2 * d.E + j, dv[t * hd + j]);
      }
    }
  }
}

}  // namespace lc::attn
