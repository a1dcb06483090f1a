// Linear algebra and neural-network ops. Optional tensors (bias, weight) are handles or null.
#include "common.h"

namespace lc {

#define LC_RET(expr) return Wrap(info.Env(), (expr))

LC_OP(matmul) { LC_RET(at::matmul(T(info, 0), T(info, 1))); }
LC_OP(mm) { LC_RET(at::mm(T(info, 0), T(info, 1))); }
LC_OP(bmm) { LC_RET(at::bmm(T(info, 0), T(info, 1))); }
LC_OP(outer) { LC_RET(at::outer(T(info, 0), T(info, 1))); }
// (input, a, b, beta, alpha): beta * input + alpha * (a @ b)
LC_OP(addmm) { LC_RET(at::addmm(T(info, 0), T(info, 1), T(info, 2), S(info, 3), S(info, 4))); }
LC_OP(baddbmm) { LC_RET(at::baddbmm(T(info, 0), T(info, 1), T(info, 2), S(info, 3), S(info, 4))); }
// (x, weight (out, in), bias?)
LC_OP(linear) { LC_RET(at::linear(T(info, 0), T(info, 1), OptT(info, 2))); }
// (x, weight, bias?, stride[], padding[], dilation[], groups)
LC_OP(conv2d) {
  LC_RET(at::conv2d(T(info, 0), T(info, 1), OptT(info, 2), IL(info, 3), IL(info, 4), IL(info, 5), I(info, 6)));
}
// (x, normalizedShape[], weight?, bias?, eps)
LC_OP(layerNorm) { LC_RET(at::layer_norm(T(info, 0), IL(info, 1), OptT(info, 2), OptT(info, 3), D(info, 4))); }
// (x, approximate: "none" | "tanh")
LC_OP(gelu) { LC_RET(at::gelu(T(info, 0), Str(info, 1))); }
// (x, dim, dtype?)
LC_OP(softmax) { LC_RET(at::softmax(T(info, 0), I(info, 1), OptDT(info, 2))); }
LC_OP(logSoftmax) { LC_RET(at::log_softmax(T(info, 0), I(info, 1), OptDT(info, 2))); }
// (logits, target, weight?, reduction: 0 none | 1 mean | 2 sum, ignoreIndex, labelSmoothing)
LC_OP(crossEntropy) {
  LC_RET(at::cross_entropy_loss(T(info, 0), T(info, 1), OptT(info, 2), I(info, 3), I(info, 4), D(info, 5)));
}
// (a, b, reduction)
LC_OP(mseLoss) { LC_RET(at::mse_loss(T(info, 0), T(info, 1), I(info, 2))); }
// (weight (num, dim), indices, paddingIdx (-1: none))
LC_OP(embedding) { LC_RET(at::embedding(T(info, 0), T(info, 1), I(info, 2))); }
// (x, p, dim, eps): x / max(||x||_p, eps) along dim, as torch.nn.functional.normalize.
LC_OP(normalize) {
  at::Tensor& x = T(info, 0);
  at::Tensor n = x.norm(S(info, 1), IL(info, 2), true).clamp_min(D(info, 3));
  LC_RET(x / n);
}

}  // namespace lc
