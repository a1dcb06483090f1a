// Scaled dot-product attention in one call (libtorch 1.13 has no SDPA op). Built from ATen ops, so autograd
// differentiates it; doing it here saves the JS round trips of the five ops it is made of.
#include <cmath>

#include "common.h"

namespace lc {

// (q (..., L, E), k (..., S, E), v (..., S, Ev), mask?, causal, dropoutP, scale (NaN: 1/sqrt(E)), gen?)
// mask: bool (true = may attend, as torch.nn.functional.scaled_dot_product_attention) or float (added).
LC_OP(attention) {
  const at::Tensor& q = T(info, 0);
  const at::Tensor& k = T(info, 1);
  const at::Tensor& v = T(info, 2);
  auto mask = OptT(info, 3);
  bool causal = B(info, 4);
  double p = D(info, 5);
  double scale = D(info, 6);
  if (std::isnan(scale)) scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  at::Tensor scores = at::matmul(q, k.transpose(-2, -1)).mul_(scale);  // (..., L, S)
  if (causal) {
    int64_t L = q.size(-2), S = k.size(-2);
    at::Tensor future = at::ones({L, S}, q.options().dtype(at::kBool)).triu_(1);
    scores = scores.masked_fill(future, -std::numeric_limits<double>::infinity());
  }
  if (mask) {
    if (mask->scalar_type() == at::kBool) {
      scores = scores.masked_fill(mask->logical_not(), -std::numeric_limits<double>::infinity());
    } else {
      scores = scores + *mask;
    }
  }
  at::Tensor attn = at::softmax(scores, -1);
  if (p > 0) {
    at::Tensor keep = at::empty_like(attn, at::MemoryFormat::Contiguous).bernoulli_(1 - p, OptGen(info, 7));
    attn = attn * keep.div_(1 - p);
  }
  return Wrap(info.Env(), at::matmul(attn, v));  // (..., L, Ev)
}

}  // namespace lc
