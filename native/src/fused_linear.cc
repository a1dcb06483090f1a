// Linear layer with its epilogue fused: y = act(x W^T + b) (+ residual). One matrix product and one
// elementwise pass forward; backward, one pass for the activation's derivative that also sums the bias
// gradient (libtorch sums it column by column in a separate, slow reduction), then the two products.
// With a residual and no activation the residual and bias are written first and the product accumulates onto
// them (beta = 1), so the residual add costs no pass of its own.
// Under CPU autocast the products run in the autocast dtype (bf16) on a cast of the weight, as torch's
// autocast linear does, but write float where float is what comes next: the pre-activation, the f32 residual
// stream, the f32 weight gradient. With an activation the forward keeps its derivative (in the product's dtype)
// rather than its input, so the backward multiplies and evaluates no exp or erf. Epilogues compute in float.
// Products go through gemm.h (oneDNN when present). First-order gradients only.
#include <torch/csrc/autograd/custom_function.h>

#include "fused_common.h"
#include "gemm.h"
#include "linear_kernels.h"

namespace lc {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

using namespace linear;

constexpr int64_t kRowGrain = 16;

// Calls f(Tag<T>{}) for the product dtypes the kernels take: f32, bf16, f64.
template <typename F>
bool DispatchProduct(at::ScalarType t, F&& f) {
  if (t == at::kFloat) return f(Tag<float>{}), true;
  if (t == at::kBFloat16) return f(Tag<k::bf16>{}), true;
  if (t == at::kDouble) return f(Tag<double>{}), true;
  return false;
}

int64_t Rows(const at::Tensor& t) { return t.dim() == 0 || t.size(-1) == 0 ? 0 : t.numel() / t.size(-1); }

// The product x2 (M, K) . wc (N, K)^T in float (double for f64) into `c`, accumulating when beta = 1.
void ProductInto(at::Tensor& c, const at::Tensor& x2, const at::Tensor& wc, float beta) {
  GemmInto(c, x2, false, wc, true, beta);
}

struct LinearFn : public torch::autograd::Function<LinearFn> {
  // Optional tensors come as c10::optional: libtorch's Function refuses undefined tensors as inputs.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w,
                            const c10::optional<at::Tensor>& bOpt, const c10::optional<at::Tensor>& resOpt,
                            int64_t actCode, bool floatOut) {
    RECORD_FUNCTION("lc::fused_linear", std::vector<c10::IValue>());
    const at::Tensor b = bOpt.value_or(at::Tensor()), res = resOpt.value_or(at::Tensor());
    const k::Act act = static_cast<k::Act>(actCode);
    const at::ScalarType ct = CpuAutocastDtype(x).value_or(x.scalar_type());
    const at::ScalarType acc = AccType(ct);
    const int64_t K = x.size(-1), N = w.size(0), M = Rows(x);
    at::Tensor x2 = x.to(ct).reshape({M, K}).contiguous();  // (M, K)
    // Not at::autocast::cached_cast: this forward runs without grad mode, and a cast cached here would hand
    // any other autocast op on the same weight a cast with no history. One cast per call, as torch's per-region cache.
    at::Tensor wc = w.to(ct).contiguous();                                // (N, K)
    at::Tensor bc = b.defined() ? b.to(acc).contiguous() : at::Tensor();  // (N,)
    auto outShape = x.sizes().vec();
    outShape.back() = N;
    at::Tensor out, deriv;
    if (act != k::Act::kNone) {
      // pre = x W^T in float, then one pass: out = act(pre + b) in ct and the derivative act'(pre + b), kept
      // for the backward: in place of pre for float products, as bf16 for bf16 ones (less memory traffic).
      at::Tensor pre = at::empty({M, N}, x2.options().dtype(acc));
      ProductInto(pre, x2, wc, 0.0f);
      out = at::empty({M, N}, x2.options());
      deriv = ct == acc ? pre : at::empty({M, N}, x2.options());
      DispatchProduct(ct, [&](auto tp) {
        using TY = typename decltype(tp)::type;
        using C = k::acc_t<TY>;
        const C* bp = bc.defined() ? bc.data_ptr<C>() : nullptr;
        at::parallel_for(0, M, kRowGrain, [&](int64_t begin, int64_t end) {
          BiasActRows<TY, TY, C>(pre.data_ptr<C>(), out.data_ptr<TY>(), deriv.data_ptr<TY>(), bp, act, begin, end, N);
        });
      });
    } else if (res.defined() && res.scalar_type() == acc) {
      // out = residual + b, then the product accumulates onto it.
      at::Tensor r2 = res.reshape({M, N}).contiguous();
      out = at::empty({M, N}, res.options());
      DispatchProduct(acc, [&](auto to) {
        using C = typename decltype(to)::type;
        const C* bp = bc.defined() ? bc.data_ptr<C>() : nullptr;
        at::parallel_for(0, M, kRowGrain, [&](int64_t begin, int64_t end) {
          ResidualRows<C, C, C>(out.data_ptr<C>(), r2.data_ptr<C>(), nullptr, bp, begin, end, N);
        });
      });
      ProductInto(out, x2, wc, 1.0f);
    } else if (res.defined()) {
      // A residual in the product's lower precision (a model converted to bf16): product apart, then one pass.
      at::Tensor r2 = res.reshape({M, N}).contiguous();
      at::Tensor mm = at::mm(x2, wc.t());
      out = at::empty({M, N}, res.options());
      bool ok = DispatchPair(res.scalar_type(), ct, [&](auto to, auto tm) {
        using TO = typename decltype(to)::type;
        using TM = typename decltype(tm)::type;
        using C = k::acc_t<TO>;
        const C* bp = bc.defined() ? bc.data_ptr<C>() : nullptr;
        at::parallel_for(0, M, kRowGrain, [&](int64_t begin, int64_t end) {
          ResidualRows<TO, TM, C>(out.data_ptr<TO>(), r2.data_ptr<TO>(), mm.data_ptr<TM>(), bp, begin, end, N);
        });
      });
      TORCH_CHECK(ok, "fusedLinear: unsupported dtypes ", res.scalar_type(), " residual with ", ct, " product");
    } else if ((ct == acc || floatOut) && bc.defined()) {
      // out = b, then the product accumulates onto it (what addmm does, with a faster broadcast); in float when
      // asked for (a bf16 product written as float: no bf16 rounding of the output).
      out = at::empty({M, N}, x2.options().dtype(acc));
      DispatchProduct(acc, [&](auto to) {
        using C = typename decltype(to)::type;
        at::parallel_for(0, M, kRowGrain, [&](int64_t begin, int64_t end) {
          ResidualRows<C, C, C>(out.data_ptr<C>(), nullptr, nullptr, bc.data_ptr<C>(), begin, end, N);
        });
      });
      ProductInto(out, x2, wc, 1.0f);
    } else if (floatOut) {
      out = at::empty({M, N}, x2.options().dtype(acc));
      ProductInto(out, x2, wc, 0.0f);
    } else {
      out = bc.defined() ? at::addmm(bc.to(ct), x2, wc.t()) : at::mm(x2, wc.t());
    }
    ctx->save_for_backward({x2, wc, deriv});
    ctx->saved_data["act"] = actCode;
    ctx->saved_data["has_bias"] = b.defined();
    ctx->saved_data["has_res"] = res.defined();
    ctx->saved_data["x_shape"] = x.sizes().vec();
    ctx->saved_data["x_dtype"] = static_cast<int64_t>(x.scalar_type());
    ctx->saved_data["w_dtype"] = static_cast<int64_t>(w.scalar_type());
    return out.view(outShape);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    RECORD_FUNCTION("lc::fused_linear_backward", std::vector<c10::IValue>());
    auto saved = ctx->get_saved_variables();
    const at::Tensor& x2 = saved[0];
    const at::Tensor& wc = saved[1];
    const at::Tensor& deriv = saved[2];  // act'(x W^T + b): float, or bf16 for bf16 products
    const k::Act act = static_cast<k::Act>(ctx->saved_data["act"].toInt());
    const bool hasBias = ctx->saved_data["has_bias"].toBool();
    const at::ScalarType ct = x2.scalar_type(), acc = AccType(ct);
    const int64_t M = x2.size(0), N = wc.size(0), K = x2.size(1);
    at::Tensor dy = grads[0].reshape({M, N}).contiguous();
    // The product's gradient in the product's dtype; the bias gradient summed in float on the way.
    at::Tensor dpre = act == k::Act::kNone && dy.scalar_type() == ct ? dy : at::empty({M, N}, dy.options().dtype(ct));
    const bool writeDpre = dpre.data_ptr() != dy.data_ptr();
    at::Tensor db;
    if (act != k::Act::kNone) {
      DispatchProduct(ct, [&](auto tp) {
        using TY = typename decltype(tp)::type;
        using C = k::acc_t<TY>;
        db = RowsWithAccumulators<C>(M, N, kRowGrain, acc, [&](int64_t begin, int64_t end, C* part) {
          ActBackwardRows<TY, TY, C>(dy.data_ptr<TY>(), deriv.data_ptr<TY>(), dpre.data_ptr<TY>(), part, begin, end, N);
        });
      });
    } else if (hasBias || writeDpre) {
      bool ok = DispatchPair(dy.scalar_type(), ct, [&](auto ty, auto tp) {
        using TY = typename decltype(ty)::type;
        using TP = typename decltype(tp)::type;
        using C = k::acc_t<TP>;
        db = RowsWithAccumulators<C>(M, N, kRowGrain, acc, [&](int64_t begin, int64_t end, C* part) {
          CastSumRows<TY, TP, C>(dy.data_ptr<TY>(), writeDpre ? dpre.data_ptr<TP>() : nullptr, part, begin, end, N);
        });
      });
      TORCH_CHECK(ok, "fusedLinear backward: unsupported dtypes ", dy.scalar_type(), " and ", ct);
    }
    const auto wDtype = static_cast<at::ScalarType>(ctx->saved_data["w_dtype"].toInt());
    at::Tensor dx, dw;
    if (ctx->needs_input_grad(0)) {
      // In the product's dtype (bf16 under autocast: the input's gradient is bf16 anyway).
      if (ct == acc) {
        dx = at::empty({M, K}, x2.options());
        GemmInto(dx, dpre, false, wc, false, 0.0f);
      } else {
        dx = at::mm(dpre, wc);
      }
      dx = dx.view(ctx->saved_data["x_shape"].toIntVector()).to(static_cast<at::ScalarType>(ctx->saved_data["x_dtype"].toInt()));
    }
    if (ctx->needs_input_grad(1)) {
      // Straight into float for a bf16 product (no bf16 rounding of the weight gradient, no cast pass).
      dw = at::empty({N, K}, x2.options().dtype(acc));
      GemmInto(dw, dpre, true, x2, false, 0.0f);
      dw = dw.to(wDtype);
    }
    // needs_input_grad counts tensor inputs only: absent optionals take no index.
    at::Tensor dbOut = hasBias && ctx->needs_input_grad(2) ? db.to(wDtype) : at::Tensor();
    at::Tensor dres = ctx->saved_data["has_res"].toBool() && ctx->needs_input_grad(hasBias ? 3 : 2) ? grads[0] : at::Tensor();
    return {dx, dw, dbOut, dres, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

// (x (..., K), weight (N, K), bias (N) | null, activation 0 none | 1 gelu | 2 quick_gelu, residual (..., N) | null,
//  floatOutput) -> act(x W^T + b) + residual. A residual goes with activation 0 only; floatOutput (a bf16
// product written as float) with neither.
LC_OP(fusedLinear) {
  const at::Tensor& x = T(info, 0);
  const at::Tensor& w = T(info, 1);
  auto b = OptT(info, 2);
  int64_t act = I(info, 3);
  auto res = OptT(info, 4);
  bool floatOut = B(info, 5);
  if (floatOut && (res || act != 0)) throw ArgError("floatOutput goes with neither an activation nor a residual");
  if (act < 0 || act > 2) throw ArgError("activation must be 0 (none), 1 (gelu) or 2 (quick_gelu), got " + std::to_string(act));
  if (res && act != 0) throw ArgError("a residual goes with no activation");
  if (x.dim() < 1 || w.dim() != 2 || x.size(-1) != w.size(1)) {
    throw ArgError("x " + c10::str(x.sizes()) + " and weight " + c10::str(w.sizes()) + " do not fit: weight is (out, in) with in = x's last size");
  }
  if (b && (b->dim() != 1 || b->size(0) != w.size(0))) throw ArgError("bias " + c10::str(b->sizes()) + " must be (" + std::to_string(w.size(0)) + ",)");
  auto outShape = x.sizes().vec();
  outShape.back() = w.size(0);
  if (res && res->sizes().vec() != outShape) {
    throw ArgError("residual " + c10::str(res->sizes()) + " must have the output's shape " + c10::str(at::IntArrayRef(outShape)));
  }
  const bool cpu = x.device().is_cpu() && w.device().is_cpu();
  const at::ScalarType ct = CpuAutocastDtype(x).value_or(x.scalar_type());
  const bool dtypesOk = (ct == at::kFloat || ct == at::kBFloat16 || ct == at::kDouble) &&
                        (!res || DispatchPair(res->scalar_type(), ct, [](auto, auto) {}));
  if (!cpu || !dtypesOk) {
    at::Tensor y = at::linear(x, w, b);
    if (act == 1) y = at::gelu(y);
    if (act == 2) y = y * at::sigmoid(y * 1.702);
    if (res) y = *res + y;
    if (floatOut) y = y.to(AccType(y.scalar_type()));
    return Wrap(info.Env(), y);
  }
  return Wrap(info.Env(), LinearFn::apply(x, w, b, res, act, floatOut));
}

}  // namespace lc
