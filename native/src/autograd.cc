// Autograd: requires_grad, .grad, backward, grad mode and autocast. Grad mode and autocast are thread-local
// in libtorch; every op of this addon runs on the JS thread, so the state set here applies to all of them.
#include <ATen/autocast_mode.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <torch/version.h>

#include "common.h"

namespace lc {

namespace {
// libtorch 2.4 folded the per-device autocast calls into ones taking a device type (and deprecated the old ones).
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool AutocastEnabled(at::DeviceType d) { return at::autocast::is_autocast_enabled(d); }
void SetAutocastEnabled(at::DeviceType d, bool on) { at::autocast::set_autocast_enabled(d, on); }
at::ScalarType AutocastDtype(at::DeviceType d) { return at::autocast::get_autocast_dtype(d); }
void SetAutocastDtype(at::DeviceType d, at::ScalarType t) { at::autocast::set_autocast_dtype(d, t); }
#else
bool AutocastEnabled(at::DeviceType d) { return d == at::kCPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled(); }
void SetAutocastEnabled(at::DeviceType d, bool on) {
  if (d == at::kCPU) at::autocast::set_cpu_enabled(on);
  else at::autocast::set_enabled(on);
}
at::ScalarType AutocastDtype(at::DeviceType d) {
  return d == at::kCPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
}
void SetAutocastDtype(at::DeviceType d, at::ScalarType t) {
  if (d == at::kCPU) at::autocast::set_autocast_cpu_dtype(t);
  else at::autocast::set_autocast_gpu_dtype(t);
}
#endif

at::DeviceType AutocastDevice(const std::string& dev) {
  if (dev == "cpu") return at::kCPU;
  if (dev == "cuda") return at::kCUDA;
  throw ArgError("autocast device must be 'cpu' or 'cuda', got '" + dev + "'");
}
}  // namespace

LC_OP(requiresGrad) { return Napi::Boolean::New(info.Env(), T(info, 0).requires_grad()); }
LC_OP(setRequiresGrad) {
  T(info, 0).set_requires_grad(B(info, 1));
  return info.Env().Undefined();
}
LC_OP(isLeaf) { return Napi::Boolean::New(info.Env(), T(info, 0).is_leaf()); }
LC_OP(retainGrad) {
  T(info, 0).retain_grad();
  return info.Env().Undefined();
}
LC_OP(detach) { return Wrap(info.Env(), T(info, 0).detach()); }
LC_OP(hasGradFn) { return Napi::Boolean::New(info.Env(), T(info, 0).grad_fn() != nullptr); }

// (h, cached?) -> the grad as a handle, or undefined. With `cached` (a handle this call returned before), the
// same handle is re-pointed at the current grad and returned, so that reading .grad allocates nothing; when
// the grad is gone the cached handle is released, letting go of the old gradient.
LC_OP(grad) {
  at::Tensor g = T(info, 0).grad();
  if (IsNil(info[1])) return WrapOrUndefined(info.Env(), g);
  if (!g.defined()) {
    Release(info[1], 1);
    return info.Env().Undefined();
  }
  Repoint(info[1], 1, std::move(g));
  return info[1];
}

// (h, grad?) sets or clears (null) the grad.
LC_OP(setGrad) {
  at::Tensor& t = T(info, 0);
  if (IsNil(info[1])) t.mutable_grad().reset();
  else t.mutable_grad() = T(info, 1);
  return info.Env().Undefined();
}

// (h, gradient?, retainGraph, createGraph)
LC_OP(backward) {
  auto g = OptT(info, 1);
  torch::autograd::backward({T(info, 0)}, {g.value_or(at::Tensor())}, B(info, 2), B(info, 3));
  return info.Env().Undefined();
}

// (outputs[], inputs[], gradOutputs (handle | null)[] | null, retainGraph, createGraph) -> grads (undefined
// where an input does not influence the outputs).
LC_OP(autogradGrad) {
  auto outs = TL(info, 0);
  auto ins = TL(info, 1);
  std::vector<at::Tensor> gos;
  if (!IsNil(info[2])) gos = TL(info, 2);
  auto res = torch::autograd::grad(outs, ins, gos, B(info, 3), B(info, 4), true);
  auto arr = Napi::Array::New(info.Env(), res.size());
  for (uint32_t i = 0; i < res.size(); ++i) arr.Set(i, WrapOrUndefined(info.Env(), res[i]));
  return arr;
}

LC_OP(isGradEnabled) { return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled()); }
LC_OP(setGradEnabled) {
  c10::GradMode::set_enabled(B(info, 0));
  return info.Env().Undefined();
}

// (device "cpu" | "cuda", enabled, dtype) -> [previousEnabled, previousDtype]; pair with autocastPop.
LC_OP(autocastPush) {
  at::DeviceType dev = AutocastDevice(Str(info, 0));
  bool enabled = B(info, 1);
  at::ScalarType dt = DT(info, 2);
  bool prev = AutocastEnabled(dev);
  at::ScalarType prevDt = AutocastDtype(dev);
  SetAutocastEnabled(dev, enabled);
  SetAutocastDtype(dev, dt);
  at::autocast::increment_nesting();
  auto arr = Napi::Array::New(info.Env(), 2);
  arr.Set(0u, Napi::Boolean::New(info.Env(), prev));
  arr.Set(1u, Napi::Number::New(info.Env(), static_cast<int>(prevDt)));
  return arr;
}

// (device, previousEnabled, previousDtype): restores; leaving the outermost region drops cached casts.
LC_OP(autocastPop) {
  at::DeviceType dev = AutocastDevice(Str(info, 0));
  bool prev = B(info, 1);
  at::ScalarType prevDt = DT(info, 2);
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  SetAutocastEnabled(dev, prev);
  SetAutocastDtype(dev, prevDt);
  return info.Env().Undefined();
}

LC_OP(isAutocastEnabled) { return Napi::Boolean::New(info.Env(), AutocastEnabled(AutocastDevice(Str(info, 0)))); }

}  // namespace lc
