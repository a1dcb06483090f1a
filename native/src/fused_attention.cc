// Multi-head self-attention core with a hand-written backward, from the packed projection to the merged heads:
//   qkv (B, T, 3E), rows [q | k | v], each E = heads x hd head-major (timm's qkv and nn.MultiheadAttention's
//   in_proj layout) -> per head: [LayerNorm over hd on q and k (timm qk-norm)], softmax(q k^T * scale
//   [+ causal mask]) v -> (B, T, E), heads side by side (ready for the output projection).
// libtorch would run this as ~10 ops (a strided copy for every reshape, bmm looping over B x heads matrices
// with a BLAS call each, a masked fill, softmax) and twice as many backward. Here each (batch, head) pair is
// one task: its q, k, v are gathered into small float buffers that stay in cache, the products are plain
// loops the compiler vectorises, and the result is scattered straight into the output; the backward
// recomputes q, k, v and the norms from qkv and reads the saved attention probabilities. Computes in float
// (double for double input) whatever qkv holds; bf16 input gives bf16 output. First-order gradients only.
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <limits>

#include "fused_common.h"

namespace lc {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

struct Dims {
  int64_t B, T, E, H, hd;
  bool causal;
  double scale, eps;
  bool qNorm, kNorm;
};

// out[i, :n(i)] (+)= sum_{k < kl(i)} a[i, k] b[k, :n(i)]; a is (M, K), b is (K, N), both row-major. With
// `causal`, n(i) = i + 1 when `causalN`, and kl(i) = i + 1 when `causalK` (the other products' zeros).
template <typename C>
LC_INLINE void MatMul(C* __restrict out, const C* __restrict a, const C* __restrict b, int64_t M, int64_t K, int64_t N,
                   bool causalN, bool causalK, bool accumulate) {
  for (int64_t i = 0; i < M; ++i) {
    C* o = out + i * N;
    const int64_t n = causalN ? i + 1 : N;
    const int64_t kl = causalK ? i + 1 : K;
    if (!accumulate) {
      for (int64_t j = 0; j < n; ++j) o[j] = 0;
    }
    for (int64_t kk = 0; kk < kl; ++kk) {
      const C s = a[i * K + kk];
      const C* br = b + kk * N;
      for (int64_t j = 0; j < n; ++j) o[j] += s * br[j];
    }
  }
}

// out[j, :] += sum_i a[i, j] b[i, :] (out = a^T b), a (M, J), b (M, N); causal: only j <= i.
template <typename C>
LC_INLINE void MatMulTransA(C* __restrict out, const C* __restrict a, const C* __restrict b, int64_t M, int64_t J,
                         int64_t N, bool causal) {
  for (int64_t i = 0; i < M; ++i) {
    const int64_t jl = causal ? i + 1 : J;
    const C* br = b + i * N;
    for (int64_t j = 0; j < jl; ++j) {
      const C s = a[i * J + j];
      C* o = out + j * N;
      for (int64_t d = 0; d < N; ++d) o[d] += s * br[d];
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

// Per-thread scratch: q, k, v, their normalised inputs, transposes and the score matrix.
template <typename C>
struct Scratch {
  std::vector<C> buf;
  C *q, *k, *v, *xq, *xk, *t1, *o, *s, *s2, *rq, *rk, *g1, *g2, *g3;
  explicit Scratch(const Dims& d) : buf(static_cast<size_t>(11 * d.T * d.hd + 2 * d.T * d.T + 2 * d.T)) {
    const int64_t th = d.T * d.hd, tt = d.T * d.T;
    C* p = buf.data();
    for (C** slot : {&q, &k, &v, &xq, &xk, &t1, &o, &g1, &g2, &g3}) {
      *slot = p;
      p += th;
    }
    s = p; p += tt;
    s2 = p; p += tt;
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

template <typename C>
LC_INLINE void Transpose(C* __restrict dst, const C* __restrict src, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) dst[c * rows + r] = src[r * cols + c];
}

template <typename TQ, typename C>
LC_MULTIVERSION void ForwardHeads(const TQ* qkv, TQ* out, C* probs, const Dims& d, const Norms& n, int64_t begin,
                                  int64_t end) {
  Scratch<C> w(d);
  const int64_t T = d.T, hd = d.hd;
  for (int64_t job = begin; job < end; ++job) {
    const int64_t b = job / d.H, h = job % d.H;
    LoadHead<TQ, C>(w, qkv, d, n, b, h);
    Transpose(w.t1, w.k, T, hd);                                     // k^T (hd, T)
    C* p = probs + job * T * T;                                      // (T, T)
    MatMul<C>(p, w.q, w.t1, T, hd, T, d.causal, false, false);      // scores
    for (int64_t i = 0; i < T; ++i) {
      C* r = p + i * T;
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
      for (int64_t j = 0; j < n_; ++j) r[j] *= inv;
      for (int64_t j = n_; j < T; ++j) r[j] = 0;  // masked: probability exactly 0, as softmax of -inf gives
    }
    MatMul<C>(w.o, p, w.v, T, T, hd, false, d.causal, false);  // (T, hd)
    for (int64_t t = 0; t < T; ++t) {
      TQ* dst = out + (b * T + t) * d.E + h * hd;
      for (int64_t j = 0; j < hd; ++j) k::St(dst, j, w.o[t * hd + j]);
    }
  }
}

// acc layout (per thread): [dqw | dqb | dkw | dkb], hd each.
template <typename TQ, typename TG, typename C>
LC_MULTIVERSION void BackwardHeads(const TQ* qkv, const TG* gout, const C* probs, TQ* dqkv, const Dims& d,
                                   const Norms& n, C* acc, int64_t begin, int64_t end) {
  Scratch<C> w(d);
  const int64_t T = d.T, hd = d.hd;
  for (int64_t job = begin; job < end; ++job) {
    const int64_t b = job / d.H, h = job % d.H;
    LoadHead<TQ, C>(w, qkv, d, n, b, h);
    const C* p = probs + job * T * T;
    C* dO = w.o;
    for (int64_t t = 0; t < T; ++t) {
      const int64_t base = (b * T + t) * d.E + h * hd;
      for (int64_t j = 0; j < hd; ++j) dO[t * hd + j] = k::Ld(gout, base + j);
    }
    // dv = p^T dO
    C* dv = w.g3;
    std::fill(dv, dv + T * hd, C(0));
    MatMulTransA<C>(dv, p, dO, T, T, hd, d.causal);
    // dp = dO v^T; ds = p (dp - rowsum(p dp)) * scale
    Transpose(w.t1, w.v, T, hd);
    C* ds = w.s2;
    MatMul<C>(ds, dO, w.t1, T, hd, T, d.causal, false, false);
    for (int64_t i = 0; i < T; ++i) {
      const int64_t n_ = d.causal ? i + 1 : T;
      const C* pr = p + i * T;
      C* r = ds + i * T;
      C dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int64_t j = 0; j < n_; ++j) dot += pr[j] * r[j];
      for (int64_t j = 0; j < n_; ++j) r[j] = pr[j] * (r[j] - dot) * C(d.scale);
      for (int64_t j = n_; j < T; ++j) r[j] = 0;
    }
    // dq = ds k, dk = ds^T q (gradients of the normalised q, k when qk-norm is on)
    C* dq = w.g1;
    C* dk = w.g2;
    MatMul<C>(dq, ds, w.k, T, T, hd, false, d.causal, false);
    std::fill(dk, dk + T * hd, C(0));
    MatMulTransA<C>(dk, ds, w.q, T, T, hd, d.causal);
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

Dims DimsOf(const at::Tensor& qkv, int64_t heads, bool causal, double scale, double eps, bool qNorm, bool kNorm) {
  Dims d{qkv.size(0), qkv.size(1), qkv.size(2) / 3, heads, qkv.size(2) / 3 / heads, causal, scale, eps, qNorm, kNorm};
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
    const Dims d = DimsOf(qkv, heads, causal, scale, eps, qw.defined(), kw.defined());
    const at::ScalarType acc = AccType(qkv.scalar_type());
    at::Tensor out = at::empty({d.B, d.T, d.E}, qkv.options());
    at::Tensor probs = at::empty({d.B * d.H, d.T, d.T}, qkv.options().dtype(acc));
    const Norms n = NormsOf(qw, qb, kw, kb);
    DispatchQkv(qkv.scalar_type(), [&](auto tq) {
      using TQ = typename decltype(tq)::type;
      using C = k::acc_t<TQ>;
      at::parallel_for(0, d.B * d.H, 1, [&](int64_t begin, int64_t end) {
        ForwardHeads<TQ, C>(qkv.data_ptr<TQ>(), out.data_ptr<TQ>(), probs.data_ptr<C>(), d, n, begin, end);
      });
    });
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
                          kw.defined());
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
