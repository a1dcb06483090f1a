// Elementwise building blocks of the fused CPU kernels (fused_*.cc, optim_fused.cc): dtype loads and stores,
// and float approximations of exp and erf written so that GCC vectorises the loops that call them (libm's expf
// and erff are not vectorised without -ffast-math). Double precision uses libm: it serves gradient checks, not
// speed. Each hot loop is compiled for AVX-512, AVX2 and the x86-64 baseline and picked at load time
// (LC_MULTIVERSION), so one build runs on any x86-64 machine at the best width it has.
#pragma once

#include <c10/util/BFloat16.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LC_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define LC_MULTIVERSION
#endif
// Helpers called from LC_MULTIVERSION loops must be inlined to be compiled for the clone's instruction set.
#define LC_INLINE inline __attribute__((always_inline))

namespace lc::k {

using bf16 = c10::BFloat16;

// ---- loads and stores: every kernel computes in float (or double) whatever its tensors hold ---------------
LC_INLINE float Ld(const float* p, int64_t i) { return p[i]; }
LC_INLINE double Ld(const double* p, int64_t i) { return p[i]; }
LC_INLINE float Ld(const bf16* p, int64_t i) {
  uint32_t u = static_cast<uint32_t>(reinterpret_cast<const uint16_t*>(p)[i]) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Round to nearest even, NaN kept a (quiet) NaN: the rounding c10::BFloat16 and ATen's kernels use.
LC_INLINE uint16_t Bf16Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  uint32_t r = (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;
  return f != f ? uint16_t{0x7FC0} : static_cast<uint16_t>(r);
}
LC_INLINE void St(float* p, int64_t i, float v) { p[i] = v; }
LC_INLINE void St(double* p, int64_t i, double v) { p[i] = v; }
LC_INLINE void St(bf16* p, int64_t i, float v) { reinterpret_cast<uint16_t*>(p)[i] = Bf16Bits(v); }

// The type a kernel computes in for tensors of type T.
template <typename T> struct Acc { using type = float; };
template <> struct Acc<double> { using type = double; };
template <typename T> using acc_t = typename Acc<T>::type;

// ---- exp, sigmoid, erf ---------------------------------------------------------------------------------------
// exp(x) for float: Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, and Cephes' degree-6 polynomial (relative
// error about 2e-7, like the 1-ulp exp of ATen's vectorised kernels). Inputs are clamped to [-87.3, 88]: below,
// the result is the smallest normal float instead of a denormal or 0; above, 1.65e38 instead of infinity. The
// callers (softmax of shifted scores, exp(-x^2/2), sigmoid) never need either end more precisely. Infinite
// inputs give NaN.
LC_INLINE float Exp(float x) {
  // The bounds carry `0 * x` (not folded without -ffast-math) so that GCC does not turn a clamped input into a
  // constant-result branch, which stops AVX2 vectorisation of the loops calling this.
  const float zero = 0.0f * x;
  x = std::max(x, -87.33654f + zero);
  x = std::min(x, 88.0f + zero);
  // n = round(x / ln2) by the 1.5 * 2^23 trick: adding it leaves n in the low mantissa bits of `shifted`
  // (no branch, no float-to-int conversion, so every instruction set vectorises it).
  const float shifted = x * 1.44269504088896341f + 12582912.0f;
  const float fn = shifted - 12582912.0f;
  uint32_t shiftedBits;
  std::memcpy(&shiftedBits, &shifted, 4);
  const int32_t n = static_cast<int32_t>(shiftedBits - 0x4B400000u);
  float r = x - fn * 0.693359375f;
  r = r - fn * -2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r * r + r + 1.0f;
  const uint32_t bits = static_cast<uint32_t>(n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, 4);
  return y * scale;
}
LC_INLINE double Exp(double x) { return std::exp(x); }

template <typename C> LC_INLINE C Sigmoid(C x) { return C(1) / (C(1) + Exp(-x)); }

// erf for float: Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7), the formula ATen's vectorised erf uses,
// so that GELU here agrees with torch's to the same few 1e-7.
LC_INLINE float Erf(float x) {
  float a = std::fabs(x);
  float t = 1.0f / (0.3275911f * a + 1.0f);
  float r = 1.061405429f;
  r = r * t - 1.453152027f;
  r = r * t + 1.421413741f;
  r = r * t - 0.284496736f;
  r = r * t + 0.254829592f;
  float e = 1.0f - r * t * Exp(-a * a);
  return std::copysign(e, x);
}
LC_INLINE double Erf(double x) { return std::erf(x); }

// ---- activations, as torch defines them ---------------------------------------------------------------------
// GELU (exact, erf form): x/2 (1 + erf(x/sqrt 2)); d/dx = cdf(x) + x pdf(x).
template <typename C> LC_INLINE C Gelu(C x) { return x * C(0.5) * (C(1) + Erf(x * C(M_SQRT1_2))); }
template <typename C> LC_INLINE C GeluGrad(C x) {
  const C beta = C(M_2_SQRTPI * M_SQRT1_2 * 0.5);
  C cdf = C(0.5) * (C(1) + Erf(x * C(M_SQRT1_2)));
  C pdf = beta * Exp(C(-0.5) * x * x);
  return cdf + x * pdf;
}
// QuickGELU (OpenAI CLIP): x sigmoid(1.702 x); d/dx = s + 1.702 x s (1 - s).
template <typename C> LC_INLINE C QuickGelu(C x) { return x * Sigmoid(C(1.702) * x); }
template <typename C> LC_INLINE C QuickGeluGrad(C x) {
  C s = Sigmoid(C(1.702) * x);
  return s + C(1.702) * x * s * (C(1) - s);
}

// The activation and its derivative at once, for a forward that keeps the derivative for the backward (which
// then needs no transcendental). GELU: erf's exp(-x^2/2) is the pdf's exp too.
template <typename C> LC_INLINE C GeluWithGrad(C x, C* grad) {
  const C a = std::fabs(x * C(M_SQRT1_2));
  const C t = C(1) / (C(0.3275911) * a + C(1));
  C r = C(1.061405429);
  r = r * t - C(1.453152027);
  r = r * t + C(1.421413741);
  r = r * t - C(0.284496736);
  r = r * t + C(0.254829592);
  const C e = Exp(-a * a);  // exp(-x^2 / 2)
  const C erf = std::copysign(C(1) - r * t * e, x);
  const C cdf = C(0.5) * (C(1) + erf);
  *grad = cdf + x * C(M_2_SQRTPI * M_SQRT1_2 * 0.5) * e;
  return x * cdf;
}
template <> LC_INLINE double GeluWithGrad<double>(double x, double* grad) {
  *grad = GeluGrad(x);
  return Gelu(x);
}
template <typename C> LC_INLINE C QuickGeluWithGrad(C x, C* grad) {
  const C s = Sigmoid(C(1.702) * x);
  *grad = s + C(1.702) * x * s * (C(1) - s);
  return x * s;
}

enum class Act : int { kNone = 0, kGelu = 1, kQuickGelu = 2 };

}  // namespace lc::k
