// The all-gather that carries gradients (SLIP/LaCLIP's GatherLayer, open_clip's gather_with_grad): libtorch's
// C++ API has none, and a plain all-gather cuts every other rank's rows off the graph, so each rank would only
// train on the gradient its own rows receive through its own loss terms (docs/distributed.md explains why
// that hurts).
//
// forward  (B_r, ...) local rows -> (sum of B_r, ...) every rank's rows in rank order.
// backward the gathered tensor's gradient summed over ranks (all-reduce), this rank's rows of it. When every
//          rank computes the same global loss, rank r thus receives W times dL/dx_r; averaging the parameter
//          gradients over ranks afterwards divides that W back out, giving exactly the one-process gradient.
#include <torch/csrc/autograd/custom_function.h>

#include "distributed.h"

namespace lc {
namespace dist {

#ifdef LC_HAVE_GLOO
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct AllGatherWithGradFn : public torch::autograd::Function<AllGatherWithGradFn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x) {
    const char* op = "distAllgatherWithGrad";
    Group& g = Current(op);
    std::vector<int64_t> offsets;
    at::Tensor out = AllgatherCat(g, x, &offsets, op);
    ctx->saved_data["start"] = offsets[g.rank];
    ctx->saved_data["rows"] = offsets[g.rank + 1] - offsets[g.rank];
    return out;
  }

  // Every rank reaches this node in the same order: the ranks build the same graph, and autograd orders
  // ready nodes by creation sequence, so the collectives inside backward pair up across ranks.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const char* op = "distAllgatherWithGrad (backward)";
    Group& g = Current(op);
    // A copy: autograd may share the incoming buffer with other consumers, and all-reduce writes in place.
    // (An unused output still arrives here as zeros, so every rank takes part.)
    at::Tensor sum = grads[0].clone(at::MemoryFormat::Contiguous);
    AllreduceSum(g, sum, op);
    return {sum.narrow(0, ctx->saved_data["start"].toInt(), ctx->saved_data["rows"].toInt())};
  }
};
#endif

// (x (B_r, ...)) -> (sum of B_r, ...), differentiable with respect to x.
LC_OP(distAllgatherWithGrad) {
#ifdef LC_HAVE_GLOO
  return Wrap(info.Env(), AllGatherWithGradFn::apply(T(info, 0)));
#else
  ThrowUnsupported();
#endif
}

}  // namespace dist
}  // namespace lc
