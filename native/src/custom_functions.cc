// Autograd functions written by hand (torch::autograd::Function) where libtorch has no op, or where one node
// with a hand-written backward beats the chain of nodes autograd would record.
//
// Adding one: define a struct deriving from torch::autograd::Function<Self> with static forward(ctx, ...)
// and backward(ctx, grad_outputs), and an LC_OP that calls Self::apply(...). forward runs with grad mode off;
// whatever it needs later goes through ctx->save_for_backward (tensors) or ctx->saved_data (anything else).
// The distributed all-gather of the training code follows the same shape: forward gathers every rank's
// tensor, backward returns this rank's slice of the (all-reduced) incoming gradient.
#include <torch/csrc/autograd/custom_function.h>

#include "common.h"

namespace lc {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// QuickGELU (OpenAI CLIP): y = x * sigmoid(1.702 x). Saves only x; the sigmoid is recomputed in backward.
struct QuickGeluFn : public torch::autograd::Function<QuickGeluFn> {
  static constexpr double kAlpha = 1.702;

  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x) {
    ctx->save_for_backward({x});
    return x * at::sigmoid(x * kAlpha);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor x = ctx->get_saved_variables()[0];
    at::Tensor s = at::sigmoid(x * kAlpha);
    // d/dx [x s(ax)] = s + a x s (1 - s)
    at::Tensor d = s + kAlpha * x * s * (1 - s);
    return {grads[0] * d};
  }
};

LC_OP(quickGelu) { return Wrap(info.Env(), QuickGeluFn::apply(T(info, 0))); }

}  // namespace lc
