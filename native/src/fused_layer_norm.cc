// LayerNorm over the last dimension with a hand-written backward: one pass per row forward (mean, variance,
// affine) and one backward (input gradient plus per-thread partial sums for the weight and bias gradients).
// libtorch 1.13's CPU layer_norm backward reduces gamma/beta gradients column by column and costs several
// times its forward on transformer shapes; this one costs about the same as the forward.
// The output may be written in another dtype than the input (bf16 from an f32 residual stream under autocast,
// where the next op, a matrix product, would cast it anyway). First-order gradients only.
#include <torch/csrc/autograd/custom_function.h>

#include "fused_common.h"

namespace lc {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

template <typename TX, typename TY, typename C>
LC_MULTIVERSION void LayerNormRows(const TX* x, TY* y, const C* w, const C* b, C* mean, C* rstd, int64_t begin,
                                   int64_t end, int64_t n, C eps) {
  for (int64_t r = begin; r < end; ++r) {
    const TX* xr = x + r * n;
    TY* yr = y + r * n;
    C s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < n; ++j) s += k::Ld(xr, j);
    const C mu = s / C(n);
    C q = 0;
#pragma omp simd reduction(+ : q)
    for (int64_t j = 0; j < n; ++j) {
      C d = k::Ld(xr, j) - mu;
      q += d * d;
    }
    const C rs = C(1) / std::sqrt(q / C(n) + eps);
    mean[r] = mu;
    rstd[r] = rs;
    if (w != nullptr && b != nullptr) {
      for (int64_t j = 0; j < n; ++j) k::St(yr, j, (k::Ld(xr, j) - mu) * rs * w[j] + b[j]);
    } else if (w != nullptr) {
      for (int64_t j = 0; j < n; ++j) k::St(yr, j, (k::Ld(xr, j) - mu) * rs * w[j]);
    } else {
      for (int64_t j = 0; j < n; ++j) k::St(yr, j, (k::Ld(xr, j) - mu) * rs + (b ? b[j] : C(0)));
    }
  }
}

// dx = rstd (g - mean(g) - xhat mean(g xhat)) [+ dres] with g = dy w; acc[0:n] += dy xhat (dw), acc[n:2n] += dy
// (db). dres is the gradient arriving through the passthrough output (the residual branch), added in the same pass.
template <typename TX, typename TY, typename C>
LC_MULTIVERSION void LayerNormBackwardRows(const TX* x, const TY* dy, const TX* dres, TX* dx, const C* w,
                                           const C* mean, const C* rstd, C* acc, int64_t begin, int64_t end,
                                           int64_t n) {
  C* dw = acc;
  C* db = acc + n;
  for (int64_t r = begin; r < end; ++r) {
    const TX* xr = x + r * n;
    const TY* dyr = dy + r * n;
    TX* dxr = dx + r * n;
    const C mu = mean[r], rs = rstd[r];
    C sg = 0, sgx = 0;
#pragma omp simd reduction(+ : sg, sgx)
    for (int64_t j = 0; j < n; ++j) {
      C xh = (k::Ld(xr, j) - mu) * rs;
      C d = k::Ld(dyr, j);
      C g = w ? d * w[j] : d;
      sg += g;
      sgx += g * xh;
      dw[j] += d * xh;
      db[j] += d;
    }
    const C mg = sg / C(n), mgx = sgx / C(n);
    if (dx != nullptr && dres != nullptr) {
      const TX* rr = dres + r * n;
      for (int64_t j = 0; j < n; ++j) {
        C xh = (k::Ld(xr, j) - mu) * rs;
        C d = k::Ld(dyr, j);
        C g = w ? d * w[j] : d;
        k::St(dxr, j, rs * (g - mg - xh * mgx) + k::Ld(rr, j));
      }
    } else if (dx != nullptr) {
      for (int64_t j = 0; j < n; ++j) {
        C xh = (k::Ld(xr, j) - mu) * rs;
        C d = k::Ld(dyr, j);
        C g = w ? d * w[j] : d;
        k::St(dxr, j, rs * (g - mg - xh * mgx));
      }
    }
  }
}

constexpr int64_t kRowGrain = 32;

struct LayerNormFn : public torch::autograd::Function<LayerNormFn> {
  // Optional tensors come as c10::optional: libtorch's Function refuses undefined tensors as inputs. With
  // `passthrough` the outputs are [y, x]: x handed on unchanged for a residual branch, whose gradient the
  // backward then adds in its own pass (instead of autograd summing two gradients of x with another op).
  static variable_list forward(AutogradContext* ctx, const at::Tensor& x, const c10::optional<at::Tensor>& wOpt,
                               const c10::optional<at::Tensor>& bOpt, double eps, int64_t outDtype, bool passthrough) {
    RECORD_FUNCTION("lc::fused_layer_norm", std::vector<c10::IValue>());
    const at::Tensor w = wOpt.value_or(at::Tensor()), b = bOpt.value_or(at::Tensor());
    at::Tensor xc = x.contiguous();
    const int64_t n = x.size(-1), rows = n == 0 ? 0 : x.numel() / n;
    const at::ScalarType acc = AccType(x.scalar_type());
    at::Tensor y = at::empty(x.sizes(), x.options().dtype(static_cast<at::ScalarType>(outDtype)));
    at::Tensor mean = at::empty({rows}, x.options().dtype(acc)), rstd = at::empty({rows}, x.options().dtype(acc));
    DispatchPair(x.scalar_type(), y.scalar_type(), [&](auto tx, auto ty) {
      using TX = typename decltype(tx)::type;
      using TY = typename decltype(ty)::type;
      using C = k::acc_t<TX>;
      const C* wp = w.defined() ? w.data_ptr<C>() : nullptr;
      const C* bp = b.defined() ? b.data_ptr<C>() : nullptr;
      at::parallel_for(0, rows, kRowGrain, [&](int64_t begin, int64_t end) {
        LayerNormRows<TX, TY, C>(xc.data_ptr<TX>(), y.data_ptr<TY>(), wp, bp, mean.data_ptr<C>(), rstd.data_ptr<C>(),
                                 begin, end, n, static_cast<C>(eps));
      });
    });
    ctx->save_for_backward({xc, w, mean, rstd});
    ctx->saved_data["has_bias"] = b.defined();
    if (passthrough) return {y, x};
    return {y};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    RECORD_FUNCTION("lc::fused_layer_norm_backward", std::vector<c10::IValue>());
    auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& w = saved[1];
    const at::Tensor& mean = saved[2];
    const at::Tensor& rstd = saved[3];
    at::Tensor dy = grads[0].defined() ? grads[0].contiguous() : at::zeros_like(x);
    at::Tensor dres = grads.size() > 1 && grads[1].defined() ? grads[1].to(x.scalar_type()).contiguous() : at::Tensor();
    const int64_t n = x.size(-1), rows = n == 0 ? 0 : x.numel() / n;
    const at::ScalarType acc = AccType(x.scalar_type());
    const bool needX = ctx->needs_input_grad(0);
    at::Tensor dx = needX ? at::empty_like(x) : at::Tensor();
    at::Tensor sums;
    DispatchPair(x.scalar_type(), dy.scalar_type(), [&](auto tx, auto ty) {
      using TX = typename decltype(tx)::type;
      using TY = typename decltype(ty)::type;
      using C = k::acc_t<TX>;
      const C* wp = w.defined() ? w.data_ptr<C>() : nullptr;
      const TX* rp = dres.defined() ? dres.data_ptr<TX>() : nullptr;
      sums = RowsWithAccumulators<C>(rows, 2 * n, kRowGrain, acc, [&](int64_t begin, int64_t end, C* part) {
        LayerNormBackwardRows<TX, TY, C>(x.data_ptr<TX>(), dy.data_ptr<TY>(), rp, needX ? dx.data_ptr<TX>() : nullptr,
                                         wp, mean.data_ptr<C>(), rstd.data_ptr<C>(), part, begin, end, n);
      });
    });
    at::Tensor dw = w.defined() ? sums.narrow(0, 0, n).to(w.scalar_type()) : at::Tensor();
    at::Tensor db = ctx->saved_data["has_bias"].toBool() ? sums.narrow(0, n, n).to(w.defined() ? w.scalar_type() : acc)
                                                          : at::Tensor();
    return {dx, dw, db, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

// Whether the fused kernel takes x with these parameters and output dtype (else ATen's layer_norm and a cast).
bool LayerNormFusable(const at::Tensor& x, const c10::optional<at::Tensor>& w, const c10::optional<at::Tensor>& b,
                      at::ScalarType out) {
  if (x.dim() == 0) throw ArgError("fusedLayerNorm needs at least one dimension");
  const at::ScalarType acc = AccType(x.scalar_type());
  auto paramOk = [&](const c10::optional<at::Tensor>& p) {
    return !p || (p->scalar_type() == acc && p->dim() == 1 && p->size(0) == x.size(-1) && p->is_contiguous() &&
                  p->device().is_cpu());
  };
  return x.device().is_cpu() && DispatchPair(x.scalar_type(), out, [](auto, auto) {}) && paramOk(w) && paramOk(b);
}

}  // namespace

// (x (..., n), weight (n) | null, bias (n) | null, eps, outDtype | null) -> layer_norm(x) over the last dim.
LC_OP(fusedLayerNorm) {
  const at::Tensor& x = T(info, 0);
  auto w = OptT(info, 1), b = OptT(info, 2);
  double eps = D(info, 3);
  at::ScalarType out = OptDT(info, 4).value_or(x.scalar_type());
  if (!LayerNormFusable(x, w, b, out)) return Wrap(info.Env(), at::layer_norm(x, {x.size(-1)}, w, b, eps).to(out));
  return Wrap(info.Env(), LayerNormFn::apply(x, w, b, eps, static_cast<int64_t>(out), false)[0]);
}

// The same -> [layer_norm(x), x]: x handed on for the block's residual branch (see LayerNormFn).
LC_OP(fusedLayerNormPassthrough) {
  const at::Tensor& x = T(info, 0);
  auto w = OptT(info, 1), b = OptT(info, 2);
  double eps = D(info, 3);
  at::ScalarType out = OptDT(info, 4).value_or(x.scalar_type());
  if (!LayerNormFusable(x, w, b, out)) return WrapPair(info.Env(), at::layer_norm(x, {x.size(-1)}, w, b, eps).to(out), x);
  auto outs = LayerNormFn::apply(x, w, b, eps, static_cast<int64_t>(out), true);
  return WrapPair(info.Env(), outs[0], outs[1]);
}

}  // namespace lc
