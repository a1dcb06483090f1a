// Multi-head self-attention core with a hand-written backward, from the packed projection to the merged heads:
//   qkv (B, T, 3E), rows [q | k | v], each E = heads x hd head-major (timm's qkv and nn.MultiheadAttention's
//   in_proj layout) -> per head: [LayerNorm over hd on q and k (timm qk-norm)], softmax(q k^T * scale
//   [+ causal mask]) v -> (B, T, E), heads side by side (ready for the output projection).
// libtorch would run this as ~10 ops (a strided copy for every reshape, bmm looping over B x heads matrices
// with a BLAS call each, a masked fill, softmax) and twice as many backward. Here each (batch, head) pair is
// one task: its q, k, v are gathered into small float buffers that stay in cache, the products run on
// oneDNN's gemm single-threaded inside the task (register-tiled loops where libdnnl is absent), and the result
// is scattered straight into the output; the backward recomputes q, k, v and the norms from qkv and reads the
// saved attention probabilities. Norms, softmax and gradients compute in float (double for double input); with
// bf16 input, or f32 input under CPU autocast, the products take bf16 operands and the output is bf16, as
// torch's matmul under autocast. First-order gradients only.
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <limits>
#include <type_traits>

#include "fused_common.h"
#include "gemm.h"

namespace lc {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

struct Dims {
  int64_t B, T, E, H, hd;
  bool causal;
  double scale, eps;
  bool qNorm, kNorm;
  bool lowp;  // products on bf16 operands (bf16 input, or f32 input under CPU autocast)
};

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

// Gathers part `which` (0 q, 1 k, 2 v) of head h of batch b into dst (T, hd).
template <typename TQ, typename C>
LC_INLINE void Gather(C* dst, const TQ* qkv, const Dims& d, int64_t b, int64_t h, int which) {
  for (int64_t t = 0; t < d.T; ++t) {
    const int64_t base = ((b * d.T + t) * 3 + which) * d.E + h * d.hd;
    for (int64_t j = 0; j < d.hd; ++j) dst[t * d.hd + j] = k::Ld(qkv, base + j);
  }
}

// Normalises each row of x (T, hd) in place to xhat, keeps rstd, then writes y = xhat w + b.
template <typename C>
LC_INLINE void NormRows(C* __restrict x, C* __restrict y, C* __restrict rstd, const C* __restrict w,
                        const C* __restrict bias, int64_t T, int64_t hd, C eps) {
  for (int64_t t = 0; t < T; ++t) {
    C* r = x + t * hd;
    C s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < hd; ++j) s += r[j];
    const C mu = s / C(hd);
    C q = 0;
#pragma omp simd reduction(+ : q)
    for (int64_t j = 0; j < hd; ++j) q += (r[j] - mu) * (r[j] - mu);
    const C rs = C(1) / std::sqrt(q / C(hd) + eps);
    rstd[t] = rs;
    for (int64_t j = 0; j < hd; ++j) {
      r[j] = (r[j] - mu) * rs;
      y[t * hd + j] = r[j] * w[j] + bias[j];
    }
  }
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

template <typename TQ, typename TO, typename C>
LC_MULTIVERSION void ForwardHeads(const TQ* qkv, TO* out, C* probs, const Dims& d, const Norms& n, int64_t begin,
                                  int64_t end) {
  Scratch<C> w(d);
  Products<C> prod;
  prod.lowp = d.lowp;
  const int64_t T = d.T, hd = d.hd, ld = w.ldT;
  for (int64_t job = begin; job < end; ++job) {
    const int64_t b = job / d.H, h = job % d.H;
    LoadHead<TQ, C>(w, qkv, d, n, b, h);
    prod(w.s, ld, w.q, hd, false, w.k, hd, true, T, hd, T, d.causal, false);  // scores q k^T (T, ldT)
    C* p = probs + job * T * T;                                               // (T, T)
    for (int64_t i = 0; i < T; ++i) {
      C* r = w.s + i * ld;
      C* pr = p + i * T;
      const int64_t n_ = d.causal ? i + 1 : T;
      C mx = -std::numeric_limits<C>::infinity();
#pragma omp simd reduction(max : mx)
      for (int64_t j = 0; j < n_; ++j) {
        r[j] *= C(d.scale);
        mx = r[j] > mx ? r[j] : mx;
      }
      C sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t j = 0; j < n_; ++j) {
        r[j] = k::Exp(r[j] - mx);
        sum += r[j];
      }
      const C inv = C(1) / sum;
      for (int64_t j = 0; j < n_; ++j) pr[j] = r[j] * inv;
      for (int64_t j = n_; j < T; ++j) pr[j] = 0;  // masked: probability exactly 0, as softmax of -inf gives
    }
    prod(w.o, hd, p, T, false, w.v, hd, false, T, T, hd, false, d.causal);  // p v (T, hd)
    for (int64_t t = 0; t < T; ++t) {
      TO* dst = out + (b * T + t) * d.E + h * hd;
      for (int64_t j = 0; j < hd; ++j) k::St(dst, j, w.o[t * hd + j]);
    }
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

Dims DimsOf(const at::Tensor& qkv, int64_t heads, bool causal, double scale, double eps, bool qNorm, bool kNorm,
            bool lowp) {
  Dims d{qkv.size(0), qkv.size(1), qkv.size(2) / 3, heads, qkv.size(2) / 3 / heads, causal, scale, eps, qNorm, kNorm,
         lowp};
  return d;
}

Norms NormsOf(const at::Tensor& qw, const at::Tensor& qb, const at::Tensor& kw, const at::Tensor& kb) {
  auto ptr = [](const at::Tensor& t) -> const void* { return t.defined() ? t.data_ptr() : nullptr; };
  return {ptr(qw), ptr(qb), ptr(kw), ptr(kb)};
}

template <typename F>
bool DispatchQkv(at::ScalarType t, F&& f) {
  if (t == at::kFloat) return f(Tag<float>{}), true;
  if (t == at::kBFloat16) return f(Tag<k::bf16>{}), true;
  if (t == at::kDouble) return f(Tag<double>{}), true;
  return false;
}

struct AttentionFn : public torch::autograd::Function<AttentionFn> {
  // Optional tensors come as c10::optional: libtorch's Function refuses undefined tensors as inputs.
  using Opt = c10::optional<at::Tensor>;
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& qkvIn, const Opt& qwOpt, const Opt& qbOpt,
                            const Opt& kwOpt, const Opt& kbOpt, int64_t heads, bool causal, double scale, double eps) {
    RECORD_FUNCTION("lc::fused_attention", std::vector<c10::IValue>());
    auto val = [](const Opt& t) { return t.value_or(at::Tensor()); };
    const at::Tensor qw = val(qwOpt), qb = val(qbOpt), kw = val(kwOpt), kb = val(kbOpt);
    at::Tensor qkv = qkvIn.contiguous();
    // bf16 products for bf16 input, and for f32 input under CPU autocast (what autocast's matmul would do);
    // the output is then bf16 too, as autocast's matmul output.
    const auto autocastDtype = CpuAutocastDtype(qkv);
    const bool lowp = qkv.scalar_type() == at::kBFloat16 || (qkv.scalar_type() == at::kFloat && autocastDtype == at::kBFloat16);
    const Dims d = DimsOf(qkv, heads, causal, scale, eps, qw.defined(), kw.defined(), lowp);
    const at::ScalarType acc = AccType(qkv.scalar_type());
    at::Tensor out = at::empty({d.B, d.T, d.E}, qkv.options().dtype(lowp ? at::kBFloat16 : qkv.scalar_type()));
    at::Tensor probs = at::empty({d.B * d.H, d.T, d.T}, qkv.options().dtype(acc));
    const Norms n = NormsOf(qw, qb, kw, kb);
    bool ok = DispatchPair(qkv.scalar_type(), out.scalar_type(), [&](auto tq, auto to) {
      using TQ = typename decltype(tq)::type;
      using TO = typename decltype(to)::type;
      using C = k::acc_t<TQ>;
      at::parallel_for(0, d.B * d.H, 1, [&](int64_t begin, int64_t end) {
        ForwardHeads<TQ, TO, C>(qkv.data_ptr<TQ>(), out.data_ptr<TO>(), probs.data_ptr<C>(), d, n, begin, end);
      });
    });
    TORCH_CHECK(ok, "fusedSelfAttention: unsupported dtypes ", qkv.scalar_type(), " -> ", out.scalar_type());
    ctx->saved_data["lowp"] = lowp;
    ctx->save_for_backward({qkv, probs, qw, qb, kw, kb});
    ctx->saved_data["heads"] = heads;
    ctx->saved_data["causal"] = causal;
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["eps"] = eps;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    RECORD_FUNCTION("lc::fused_attention_backward", std::vector<c10::IValue>());
    auto s = ctx->get_saved_variables();
    const at::Tensor &qkv = s[0], &probs = s[1], &qw = s[2], &qb = s[3], &kw = s[4], &kb = s[5];
    const Dims d = DimsOf(qkv, ctx->saved_data["heads"].toInt(), ctx->saved_data["causal"].toBool(),
                          ctx->saved_data["scale"].toDouble(), ctx->saved_data["eps"].toDouble(), qw.defined(),
                          kw.defined(), ctx->saved_data["lowp"].toBool());
    const at::ScalarType acc = AccType(qkv.scalar_type());
    at::Tensor g = grads[0].contiguous();
    at::Tensor dqkv = at::empty_like(qkv);
    const Norms n = NormsOf(qw, qb, kw, kb);
    at::Tensor sums;
    bool ok = DispatchPair(qkv.scalar_type(), g.scalar_type(), [&](auto tq, auto tg) {
      using TQ = typename decltype(tq)::type;
      using TG = typename decltype(tg)::type;
      using C = k::acc_t<TQ>;
      sums = RowsWithAccumulators<C>(d.B * d.H, 4 * d.hd, 1, acc, [&](int64_t begin, int64_t end, C* part) {
        BackwardHeads<TQ, TG, C>(qkv.data_ptr<TQ>(), g.data_ptr<TG>(), probs.data_ptr<C>(), dqkv.data_ptr<TQ>(), d, n,
                                 part, begin, end);
      });
    });
    TORCH_CHECK(ok, "fusedSelfAttention backward: unsupported gradient dtype ", g.scalar_type());
    auto part = [&](int i, const at::Tensor& p) { return p.defined() ? sums.narrow(0, i * d.hd, d.hd).to(p.scalar_type()) : at::Tensor(); };
    return {dqkv, part(0, qw), part(1, qb), part(2, kw), part(3, kb),
            at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

// The same computation from ATen ops, for devices and dtypes the fused kernel does not take.
at::Tensor AttentionOps(const at::Tensor& qkv, const c10::optional<at::Tensor>& qw, const c10::optional<at::Tensor>& qb,
                        const c10::optional<at::Tensor>& kw, const c10::optional<at::Tensor>& kb, int64_t heads,
                        bool causal, double scale, double eps) {
  const int64_t B = qkv.size(0), T = qkv.size(1), E = qkv.size(2) / 3, hd = E / heads;
  auto parts = qkv.view({B, T, 3, heads, hd}).permute({2, 0, 3, 1, 4}).unbind(0);  // 3 x (B, heads, T, hd)
  at::Tensor q = parts[0], k = parts[1], v = parts[2];
  if (qw) q = at::layer_norm(q.to(qw->scalar_type()), {hd}, qw, qb, eps);
  if (kw) k = at::layer_norm(k.to(kw->scalar_type()), {hd}, kw, kb, eps);
  at::Tensor scores = at::matmul(q, k.transpose(-2, -1)) * scale;  // (B, heads, T, T)
  if (causal) {
    at::Tensor future = at::ones({T, T}, scores.options().dtype(at::kBool)).triu_(1);
    scores = scores.masked_fill(future, -std::numeric_limits<double>::infinity());
  }
  at::Tensor o = at::matmul(at::softmax(scores, -1), v);  // (B, heads, T, hd)
  return o.transpose(1, 2).reshape({B, T, E}).to(qkv.scalar_type());
}

}  // namespace

// (qkv (B, T, 3E), heads, causal, scale (NaN: 1/sqrt(hd)), qNormWeight | null, qNormBias | null,
//  kNormWeight | null, kNormBias | null, eps) -> (B, T, E).
LC_OP(fusedSelfAttention) {
  const at::Tensor& qkv = T(info, 0);
  int64_t heads = I(info, 1);
  bool causal = B(info, 2);
  double scale = D(info, 3);
  auto qw = OptT(info, 4), qb = OptT(info, 5), kw = OptT(info, 6), kb = OptT(info, 7);
  double eps = D(info, 8);
  if (qkv.dim() != 3 || qkv.size(2) % 3 != 0) throw ArgError("qkv must be (B, T, 3E), got " + c10::str(qkv.sizes()));
  const int64_t E = qkv.size(2) / 3;
  if (heads < 1 || E % heads != 0) throw ArgError("embedding size " + std::to_string(E) + " is not divisible by " + std::to_string(heads) + " heads");
  const int64_t hd = E / heads;
  if (std::isnan(scale)) scale = 1.0 / std::sqrt(static_cast<double>(hd));
  if (qw.has_value() != qb.has_value() || kw.has_value() != kb.has_value()) throw ArgError("q/k norms need both weight and bias");
  const at::ScalarType acc = AccType(qkv.scalar_type());
  auto normOk = [&](const c10::optional<at::Tensor>& t) {
    if (t && (t->dim() != 1 || t->size(0) != hd)) throw ArgError("q/k norm parameters must be (" + std::to_string(hd) + ",), got " + c10::str(t->sizes()));
    return !t || (t->scalar_type() == acc && t->is_contiguous() && t->device().is_cpu());
  };
  bool fused = qkv.device().is_cpu() && DispatchQkv(qkv.scalar_type(), [](auto) {}) && normOk(qw) && normOk(qb) &&
               normOk(kw) && normOk(kb);
  if (!fused) return Wrap(info.Env(), AttentionOps(qkv, qw, qb, kw, kb, heads, causal, scale, eps));
  return Wrap(info.Env(), AttentionFn::apply(qkv, qw, qb, kw, kb, heads, causal, scale, eps));
}

}  // namespace lc
