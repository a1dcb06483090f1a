// Row kernels of the fused linear layer (fused_linear.cc): the forward epilogues (bias + activation keeping its
// derivative, residual + bias) and the backward ones (activation derivative or cast, with the bias gradient
// summed on the way), each compiled for AVX-512, AVX2 and the baseline.
#pragma once

#include "kernels.h"

namespace lc::linear {

// y[r, j] = act(pre[r, j] + b[j]) in the product's dtype and deriv[r, j] = act'(pre[r, j] + b[j]), kept for the
// backward (which then only multiplies). deriv may be pre itself (float products) or a bf16 buffer (bf16
// products: torch's bf16 GELU backward also works from bf16-rounded values). The activation is chosen outside
// the row loop so that each loop nest is a plain one the vectoriser takes.
template <typename TY, typename TD, typename C, typename F>
LC_INLINE void BiasActLoop(C* pre, TY* __restrict y, TD* deriv, const C* __restrict b, int64_t begin, int64_t end,
                           int64_t n, F act) {
  for (int64_t r = begin; r < end; ++r) {
    const C* pr = pre + r * n;
    TY* yr = y + r * n;
    TD* dr = deriv + r * n;
    for (int64_t j = 0; j < n; ++j) {
      C g;
      const C v = act(pr[j] + (b != nullptr ? b[j] : C(0)), &g);
      k::St(yr, j, v);
      k::St(dr, j, g);
    }
  }
}

template <typename TY, typename TD, typename C>
LC_MULTIVERSION void BiasActRows(C* pre, TY* y, TD* deriv, const C* b, k::Act act, int64_t begin, int64_t end,
                                 int64_t n) {
  if (act == k::Act::kGelu) {
    BiasActLoop<TY, TD, C>(pre, y, deriv, b, begin, end, n, [](C x, C* g) { return k::GeluWithGrad<C>(x, g); });
  } else {
    BiasActLoop<TY, TD, C>(pre, y, deriv, b, begin, end, n, [](C x, C* g) { return k::QuickGeluWithGrad<C>(x, g); });
  }
}

// out[r, j] = res[r, j] + b[j] (+ mm[r, j] when the product was computed apart). Without a residual: out = b.
template <typename TO, typename TM, typename C>
LC_MULTIVERSION void ResidualRows(TO* __restrict out, const TO* __restrict res, const TM* __restrict mm,
                                  const C* __restrict b, int64_t begin, int64_t end, int64_t n) {
  for (int64_t r = begin; r < end; ++r) {
    TO* o = out + r * n;
    if (res == nullptr) {
      for (int64_t j = 0; j < n; ++j) k::St(o, j, b[j]);
      continue;
    }
    const TO* rr = res + r * n;
    if (mm != nullptr) {
      const TM* m = mm + r * n;
      for (int64_t j = 0; j < n; ++j) k::St(o, j, k::Ld(rr, j) + (b ? b[j] : C(0)) + k::Ld(m, j));
    } else {
      for (int64_t j = 0; j < n; ++j) k::St(o, j, k::Ld(rr, j) + (b ? b[j] : C(0)));
    }
  }
}

// dpre = dy * act' (saved by the forward) in the product's dtype; acc += dpre (the bias gradient, summed in
// float before any rounding).
template <typename TY, typename TD, typename C>
LC_MULTIVERSION void ActBackwardRows(const TY* __restrict dy, const TD* __restrict deriv, TY* __restrict dpre,
                                     C* __restrict acc, int64_t begin, int64_t end, int64_t n) {
  for (int64_t r = begin; r < end; ++r) {
    const TY* d = dy + r * n;
    const TD* g = deriv + r * n;
    TY* o = dpre + r * n;
    for (int64_t j = 0; j < n; ++j) {
      C v = k::Ld(d, j) * k::Ld(g, j);
      k::St(o, j, v);
      acc[j] += v;
    }
  }
}

// Without activation: dpre = dy cast to the product's dtype (when dpre is given); acc += dy.
template <typename TY, typename TP, typename C>
LC_MULTIVERSION void CastSumRows(const TY* __restrict dy, TP* __restrict dpre, C* __restrict acc, int64_t begin,
                                 int64_t end, int64_t n) {
  for (int64_t r = begin; r < end; ++r) {
    const TY* d = dy + r * n;
    if (dpre != nullptr) {
      TP* o = dpre + r * n;
      for (int64_t j = 0; j < n; ++j) {
        C g = k::Ld(d, j);
        k::St(o, j, g);
        acc[j] += g;
      }
    } else {
      for (int64_t j = 0; j < n; ++j) acc[j] += k::Ld(d, j);
    }
  }
}

}  // namespace lc::linear
