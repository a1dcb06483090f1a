// Elementwise math and comparisons, out-of-place and in place. Second operands may be tensors or JS numbers.
#include "common.h"

namespace lc {

namespace {
inline bool IsScalar(const Napi::Value& v) { return v.IsNumber() || v.IsBoolean(); }
inline c10::optional<at::Scalar> OptS(const Napi::CallbackInfo& info, size_t i) {
  if (IsNil(info[i])) return c10::nullopt;
  return S(info, i);
}
}  // namespace

#define LC_RET(expr) return Wrap(info.Env(), (expr))
#define LC_DONE return info.Env().Undefined()

#define LC_UNARY(name, method) \
  LC_OP(name) { LC_RET(T(info, 0).method()); }
#define LC_UNARY_(name, method) \
  LC_OP(name) {                 \
    T(info, 0).method();        \
    LC_DONE;                    \
  }
#define LC_BINARY(name, method)                                   \
  LC_OP(name) {                                                   \
    at::Tensor& a = T(info, 0);                                   \
    if (IsScalar(info[1])) LC_RET(a.method(S(info, 1)));          \
    LC_RET(a.method(T(info, 1)));                                 \
  }
#define LC_BINARY_(name, method)                                  \
  LC_OP(name) {                                                   \
    at::Tensor& a = T(info, 0);                                   \
    if (IsScalar(info[1])) a.method(S(info, 1));                  \
    else a.method(T(info, 1));                                    \
    LC_DONE;                                                      \
  }

LC_UNARY(neg, neg)
LC_UNARY(exp, exp)
LC_UNARY(log, log)
LC_UNARY(log2, log2)
LC_UNARY(log1p, log1p)
LC_UNARY(expm1, expm1)
LC_UNARY(sqrt, sqrt)
LC_UNARY(rsqrt, rsqrt)
LC_UNARY(abs, abs)
LC_UNARY(sigmoid, sigmoid)
LC_UNARY(tanh, tanh)
LC_UNARY(relu, relu)
LC_UNARY(sign, sign)
LC_UNARY(reciprocal, reciprocal)
LC_UNARY(sin, sin)
LC_UNARY(cos, cos)
LC_UNARY(floor, floor)
LC_UNARY(ceil, ceil)
LC_UNARY(round, round)
LC_UNARY(trunc, trunc)
LC_UNARY(erf, erf)
LC_UNARY(square, square)
LC_UNARY(logicalNot, logical_not)
LC_UNARY(isnan, isnan)
LC_UNARY(isinf, isinf)
LC_UNARY(isfinite, isfinite)
LC_OP(silu) { LC_RET(at::silu(T(info, 0))); }
LC_OP(logSigmoid) { LC_RET(at::log_sigmoid(T(info, 0))); }

LC_UNARY_(zero_, zero_)
LC_UNARY_(sqrt_, sqrt_)
LC_UNARY_(exp_, exp_)
LC_UNARY_(neg_, neg_)
LC_UNARY_(abs_, abs_)
LC_UNARY_(relu_, relu_)
LC_UNARY_(sigmoid_, sigmoid_)
LC_UNARY_(reciprocal_, reciprocal_)

// (a, b, alpha): a + alpha * b
LC_OP(add) {
  at::Tensor& a = T(info, 0);
  if (IsScalar(info[1])) LC_RET(a.add(S(info, 1), S(info, 2)));
  LC_RET(a.add(T(info, 1), S(info, 2)));
}
LC_OP(sub) {
  at::Tensor& a = T(info, 0);
  if (IsScalar(info[1])) LC_RET(a.sub(S(info, 1), S(info, 2)));
  LC_RET(a.sub(T(info, 1), S(info, 2)));
}
// (a, b, alpha): b - alpha * a  (for `1 - x`)
LC_OP(rsub) {
  at::Tensor& a = T(info, 0);
  if (IsScalar(info[1])) LC_RET(at::rsub(a, S(info, 1), S(info, 2)));
  LC_RET(at::rsub(a, T(info, 1), S(info, 2)));
}
LC_BINARY(mul, mul)
// (a, b, roundingMode?: "trunc" | "floor")
LC_OP(div) {
  at::Tensor& a = T(info, 0);
  c10::optional<c10::string_view> mode;
  std::string m;
  if (!IsNil(info[2])) {
    m = Str(info, 2);
    mode = m;
  }
  if (IsScalar(info[1])) LC_RET(a.div(S(info, 1), mode));
  LC_RET(a.div(T(info, 1), mode));
}
// (a: handle | number, b: handle | number), not both numbers.
LC_OP(pow) {
  if (IsScalar(info[0])) LC_RET(at::pow(S(info, 0), T(info, 1)));
  at::Tensor& a = T(info, 0);
  if (IsScalar(info[1])) LC_RET(a.pow(S(info, 1)));
  LC_RET(a.pow(T(info, 1)));
}
LC_BINARY(remainder, remainder)
LC_BINARY(eq, eq)
LC_BINARY(ne, ne)
LC_BINARY(lt, lt)
LC_BINARY(le, le)
LC_BINARY(gt, gt)
LC_BINARY(ge, ge)
LC_OP(maximum) { LC_RET(at::maximum(T(info, 0), T(info, 1))); }
LC_OP(minimum) { LC_RET(at::minimum(T(info, 0), T(info, 1))); }
LC_OP(logicalAnd) { LC_RET(T(info, 0).logical_and(T(info, 1))); }
LC_OP(logicalOr) { LC_RET(T(info, 0).logical_or(T(info, 1))); }
LC_OP(logicalXor) { LC_RET(T(info, 0).logical_xor(T(info, 1))); }

// (h, min?, max?)
LC_OP(clamp) { LC_RET(T(info, 0).clamp(OptS(info, 1), OptS(info, 2))); }
LC_OP(clamp_) {
  T(info, 0).clamp_(OptS(info, 1), OptS(info, 2));
  LC_DONE;
}

LC_OP(addcmul) { LC_RET(T(info, 0).addcmul(T(info, 1), T(info, 2), S(info, 3))); }
LC_OP(addcdiv) { LC_RET(T(info, 0).addcdiv(T(info, 1), T(info, 2), S(info, 3))); }
LC_OP(lerp) {
  if (IsScalar(info[2])) LC_RET(T(info, 0).lerp(T(info, 1), S(info, 2)));
  LC_RET(T(info, 0).lerp(T(info, 1), T(info, 2)));
}

// ---- in place (for optimizers and initialisation); all return undefined, the JS side returns `this` -------
LC_OP(add_) {
  at::Tensor& a = T(info, 0);
  if (IsScalar(info[1])) a.add_(S(info, 1), S(info, 2));
  else a.add_(T(info, 1), S(info, 2));
  LC_DONE;
}
LC_OP(sub_) {
  at::Tensor& a = T(info, 0);
  if (IsScalar(info[1])) a.sub_(S(info, 1), S(info, 2));
  else a.sub_(T(info, 1), S(info, 2));
  LC_DONE;
}
LC_BINARY_(mul_, mul_)
LC_BINARY_(div_, div_)
LC_BINARY_(pow_, pow_)
LC_BINARY_(fill_, fill_)
LC_OP(addcmul_) {
  T(info, 0).addcmul_(T(info, 1), T(info, 2), S(info, 3));
  LC_DONE;
}
LC_OP(addcdiv_) {
  T(info, 0).addcdiv_(T(info, 1), T(info, 2), S(info, 3));
  LC_DONE;
}
LC_OP(lerp_) {
  if (IsScalar(info[2])) T(info, 0).lerp_(T(info, 1), S(info, 2));
  else T(info, 0).lerp_(T(info, 1), T(info, 2));
  LC_DONE;
}
LC_OP(copy_) {
  T(info, 0).copy_(T(info, 1));
  LC_DONE;
}

}  // namespace lc
