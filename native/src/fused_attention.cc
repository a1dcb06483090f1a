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

#include <c10/core/GradMode.h>

#include <limits>
#include <type_traits>

#include "attention_heads.h"
#include "attention_infer.h"
#include "fused_common.h"

namespace lc {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

using namespace attn;

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

at::Tensor Val(const c10::optional<at::Tensor>& t) { return t.value_or(at::Tensor()); }

struct Forwarded {
  at::Tensor qkv, out, probs;
  bool lowp;
};

// The forward over every (batch, head) task: out (B, T, E), and with `keepProbs` (training) the probabilities
// (B x heads, T, T) for the backward. Without (inference) none are kept, and bf16 products take the path that
// writes q, k, v and the probabilities as bf16 directly (attention_infer.h).
Forwarded RunForward(const at::Tensor& qkvIn, const at::Tensor& qw, const at::Tensor& qb, const at::Tensor& kw,
                     const at::Tensor& kb, int64_t heads, bool causal, double scale, double eps, bool keepProbs) {
  at::Tensor qkv = qkvIn.contiguous();
  // bf16 products for bf16 input, and for f32 input under CPU autocast (what autocast's matmul would do);
  // the output is then bf16 too, as autocast's matmul output.
  const auto autocastDtype = CpuAutocastDtype(qkv);
  const bool lowp = qkv.scalar_type() == at::kBFloat16 || (qkv.scalar_type() == at::kFloat && autocastDtype == at::kBFloat16);
  const Dims d = DimsOf(qkv, heads, causal, scale, eps, qw.defined(), kw.defined(), lowp);
  at::Tensor out = at::empty({d.B, d.T, d.E}, qkv.options().dtype(lowp ? at::kBFloat16 : qkv.scalar_type()));
  at::Tensor probs = keepProbs ? at::empty({d.B * d.H, d.T, d.T}, qkv.options().dtype(AccType(qkv.scalar_type()))) : at::Tensor();
  const Norms n = NormsOf(qw, qb, kw, kb);
  const bool bf16Products = !keepProbs && lowp && d.hd <= 256 && DnnlGemmAvailable(at::kBFloat16);
  bool ok = DispatchPair(qkv.scalar_type(), out.scalar_type(), [&](auto tq, auto to) {
    using TQ = typename decltype(tq)::type;
    using TO = typename decltype(to)::type;
    using C = k::acc_t<TQ>;
    C* p = keepProbs ? probs.data_ptr<C>() : nullptr;
    at::parallel_for(0, d.B * d.H, 1, [&](int64_t begin, int64_t end) {
      if constexpr (std::is_same_v<C, float> && std::is_same_v<TO, k::bf16>) {
        if (bf16Products) return ForwardHeadsBf16<TQ, TO>(qkv.data_ptr<TQ>(), out.data_ptr<TO>(), d, n, begin, end);
      }
      ForwardHeads<TQ, TO, C>(qkv.data_ptr<TQ>(), out.data_ptr<TO>(), p, d, n, begin, end);
    });
  });
  TORCH_CHECK(ok, "fusedSelfAttention: unsupported dtypes ", qkv.scalar_type(), " -> ", out.scalar_type());
  return {qkv, out, probs, lowp};
}

struct AttentionFn : public torch::autograd::Function<AttentionFn> {
  // Optional tensors come as c10::optional: libtorch's Function refuses undefined tensors as inputs.
  using Opt = c10::optional<at::Tensor>;
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& qkvIn, const Opt& qwOpt, const Opt& qbOpt,
                            const Opt& kwOpt, const Opt& kbOpt, int64_t heads, bool causal, double scale, double eps) {
    RECORD_FUNCTION("lc::fused_attention", std::vector<c10::IValue>());
    const at::Tensor qw = Val(qwOpt), qb = Val(qbOpt), kw = Val(kwOpt), kb = Val(kbOpt);
    auto [qkv, out, probs, lowp] = RunForward(qkvIn, qw, qb, kw, kb, heads, causal, scale, eps, true);
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

// The forward alone, when no gradient can be asked for (inference): no autograd node, no saved probabilities.
at::Tensor AttentionNoGrad(const at::Tensor& qkv, const c10::optional<at::Tensor>& qw,
                           const c10::optional<at::Tensor>& qb, const c10::optional<at::Tensor>& kw,
                           const c10::optional<at::Tensor>& kb, int64_t heads, bool causal, double scale, double eps) {
  RECORD_FUNCTION("lc::fused_attention_nograd", std::vector<c10::IValue>());
  return RunForward(qkv, Val(qw), Val(qb), Val(kw), Val(kb), heads, causal, scale, eps, false).out;
}

// The same computation from ATen ops, for devices and dtypes the fused kernel does not take.
at::Tensor AttentionOps(const at::Tensor& qkv, const c10::optional<at::Tensor>& qw, const c10::optional<at::Tensor>& qb,
                        const c10::optional<at::Tensor>& kw, const c10::optional<at::Tensor>& kb, int64_t heads,
                        bool causal, double scale, double eps) {
  const int64_t B = qkv.size(0), T = qkv.size(1), E = qkv.size(2) / 3, hd = E / heads;
  auto parts = qkv.view({B, T, 3, heads, hd}).permute({2, 0, 3, 1, 4}).unbind(0);  // 3 x (B, heads, T, hd)
  at::Tensor q = parts[0], k = parts[1], v = parts[2];
  if (qw) q = at::layer_norm(q.to(qw->scalar_type()), {hd}, qw, qb, eps);
  if (kw) k = at::layer_norm(k.to(kw->scalar_type()), {hd}, kw, kb, eps);
#if LC_TORCH_AT_LEAST(2, 1)
  // On CUDA, torch >= 2.1's SDPA picks the flash or memory-efficient kernel (no (T, T) scores in memory);
  // under autocast it takes bf16/f16 operands as the composed matmuls would. The CPU keeps the composed ops
  // below, so CPU results do not depend on the libtorch version.
  if (qkv.is_cuda()) {
    at::Tensor o = at::scaled_dot_product_attention(q, k, v, {}, 0.0, causal, scale);  // (B, heads, T, hd)
    return o.transpose(1, 2).reshape({B, T, E}).to(qkv.scalar_type());
  }
#endif
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
  auto needsGrad = [](const c10::optional<at::Tensor>& t) { return t && t->requires_grad(); };
  if (!c10::GradMode::is_enabled() || !(qkv.requires_grad() || needsGrad(qw) || needsGrad(qb) || needsGrad(kw) || needsGrad(kb))) {
    return Wrap(info.Env(), AttentionNoGrad(qkv, qw, qb, kw, kb, heads, causal, scale, eps));
  }
  return Wrap(info.Env(), AttentionFn::apply(qkv, qw, qb, kw, kb, heads, causal, scale, eps));
}

}  // namespace lc
