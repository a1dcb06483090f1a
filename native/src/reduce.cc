// Reductions. `dims` arguments are integer arrays or null for "all dimensions".
#include "common.h"

namespace lc {

#define LC_RET(expr) return Wrap(info.Env(), (expr))

// (h, dims?, keepdim, dtype?)
LC_OP(sum) {
  at::Tensor& t = T(info, 0);
  auto dims = OptIL(info, 1);
  auto dt = OptDT(info, 3);
  if (!dims) LC_RET(t.sum(dt));
  LC_RET(t.sum(*dims, B(info, 2), dt));
}
LC_OP(mean) {
  at::Tensor& t = T(info, 0);
  auto dims = OptIL(info, 1);
  if (!dims) LC_RET(t.mean());
  LC_RET(t.mean(*dims, B(info, 2)));
}
LC_OP(prod) {
  at::Tensor& t = T(info, 0);
  if (IsNil(info[1])) LC_RET(t.prod());
  LC_RET(t.prod(I(info, 1), B(info, 2)));
}
LC_OP(amax) { LC_RET(T(info, 0).amax(IL(info, 1), B(info, 2))); }
LC_OP(amin) { LC_RET(T(info, 0).amin(IL(info, 1), B(info, 2))); }
LC_OP(maxAll) { LC_RET(T(info, 0).max()); }
LC_OP(minAll) { LC_RET(T(info, 0).min()); }
// (h, dim, keepdim) -> [values, indices]
LC_OP(maxDim) {
  auto r = T(info, 0).max(I(info, 1), B(info, 2));
  return WrapPair(info.Env(), std::get<0>(r), std::get<1>(r));
}
LC_OP(minDim) {
  auto r = T(info, 0).min(I(info, 1), B(info, 2));
  return WrapPair(info.Env(), std::get<0>(r), std::get<1>(r));
}
// (h, dim?, keepdim)
LC_OP(argmax) {
  c10::optional<int64_t> dim = IsNil(info[1]) ? c10::nullopt : c10::optional<int64_t>(I(info, 1));
  LC_RET(T(info, 0).argmax(dim, B(info, 2)));
}
LC_OP(argmin) {
  c10::optional<int64_t> dim = IsNil(info[1]) ? c10::nullopt : c10::optional<int64_t>(I(info, 1));
  LC_RET(T(info, 0).argmin(dim, B(info, 2)));
}
// (h, k, dim, largest, sorted) -> [values, indices]
LC_OP(topk) {
  auto r = T(info, 0).topk(I(info, 1), I(info, 2), B(info, 3), B(info, 4));
  return WrapPair(info.Env(), std::get<0>(r), std::get<1>(r));
}
// (h, dim, descending) -> [values, indices]
LC_OP(sort) {
  auto r = T(info, 0).sort(I(info, 1), B(info, 2));
  return WrapPair(info.Env(), std::get<0>(r), std::get<1>(r));
}
// (h, p, dims?, keepdim)
LC_OP(norm) {
  at::Tensor& t = T(info, 0);
  auto dims = OptIL(info, 2);
  if (!dims) LC_RET(t.norm(S(info, 1)));
  LC_RET(at::norm(t, c10::optional<at::Scalar>(S(info, 1)), *dims, B(info, 3)));
}
LC_OP(logsumexp) { LC_RET(T(info, 0).logsumexp(IL(info, 1), B(info, 2))); }
// (h, dims?, correction, keepdim)
LC_OP(var) {
  auto dims = OptIL(info, 1);
  at::OptionalIntArrayRef d = dims ? at::OptionalIntArrayRef(*dims) : c10::nullopt;
  LC_RET(at::var(T(info, 0), d, c10::optional<int64_t>(I(info, 2)), B(info, 3)));
}
LC_OP(std) {
  auto dims = OptIL(info, 1);
  at::OptionalIntArrayRef d = dims ? at::OptionalIntArrayRef(*dims) : c10::nullopt;
  LC_RET(at::std(T(info, 0), d, c10::optional<int64_t>(I(info, 2)), B(info, 3)));
}
LC_OP(cumsum) { LC_RET(T(info, 0).cumsum(I(info, 1))); }
LC_OP(all) { LC_RET(T(info, 0).all()); }
LC_OP(any) { LC_RET(T(info, 0).any()); }
LC_OP(allclose) {
  return Napi::Boolean::New(info.Env(), T(info, 0).allclose(T(info, 1), D(info, 2), D(info, 3)));
}

}  // namespace lc
