// AdamW over many parameters in one call and one pass over memory. torch.optim.AdamW's single-tensor step is
// nine elementwise ops per parameter (each a sweep over the tensor and, with two threads, a fork-join); here
// each element of p, grad, exp_avg and exp_avg_sq is read once and written once, for all parameters of a
// group in one parallel loop. The arithmetic is torch's, in the same order and the tensors' own precision:
//   p *= 1 - lr wd;  m = m b1 + g (1 - b1);  v = v b2 + (1 - b2) g g;  [vmax = max(vmax, v)]
//   p += -step_size * m / (sqrt(v) / sqrt(bc2) + eps)
// Tensors the loop cannot take (not CPU float/double, not contiguous, mixed dtypes) get the same update as
// ATen ops, one parameter at a time; CUDA tensors take torch's fused AdamW kernel where libtorch has it (>= 2.1).
#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "common.h"
#include "kernels.h"

namespace lc {

namespace {

struct AdamWHyper {
  double lr, weightDecay, beta1, beta2, eps;
  bool maximize;
};

template <typename T>
struct AdamWJob {
  T* p;
  const T* g;
  T* m;
  T* v;
  T* vmax;  // null without amsgrad
  int64_t n;
  T stepSize;
  T bc2Sqrt;
};

template <typename T>
LC_MULTIVERSION void AdamWRange(const AdamWJob<T>& j, int64_t lo, int64_t hi, T decay, T b1, T omb1, T b2, T omb2,
                                T eps, bool maximize) {
  T* __restrict p = j.p;
  const T* __restrict g = j.g;
  T* __restrict m = j.m;
  T* __restrict v = j.v;
  const T step = -j.stepSize;
  const T bc2 = j.bc2Sqrt;
  const T sign = maximize ? T(-1) : T(1);
  if (j.vmax == nullptr) {
    for (int64_t i = lo; i < hi; ++i) {
      T gi = sign * g[i];
      T mi = m[i] * b1 + gi * omb1;
      T vi = v[i] * b2 + omb2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      T denom = std::sqrt(vi) / bc2 + eps;
      p[i] = p[i] * decay + step * mi / denom;
    }
  } else {
    T* __restrict vmax = j.vmax;
    for (int64_t i = lo; i < hi; ++i) {
      T gi = sign * g[i];
      T mi = m[i] * b1 + gi * omb1;
      T vi = v[i] * b2 + omb2 * gi * gi;
      T vm = vmax[i] > vi ? vmax[i] : vi;
      m[i] = mi;
      v[i] = vi;
      vmax[i] = vm;
      T denom = std::sqrt(vm) / bc2 + eps;
      p[i] = p[i] * decay + step * mi / denom;
    }
  }
}

// All jobs as one index space [0, total), split across threads; a thread's range may span several tensors.
template <typename T>
void RunAdamW(const std::vector<AdamWJob<T>>& jobs, const AdamWHyper& h) {
  if (jobs.empty()) return;
  std::vector<int64_t> starts(jobs.size() + 1, 0);
  for (size_t i = 0; i < jobs.size(); ++i) starts[i + 1] = starts[i] + jobs[i].n;
  const T decay = static_cast<T>(1 - h.lr * h.weightDecay);
  const T b1 = static_cast<T>(h.beta1), omb1 = static_cast<T>(1 - h.beta1);
  const T b2 = static_cast<T>(h.beta2), omb2 = static_cast<T>(1 - h.beta2);
  const T eps = static_cast<T>(h.eps);
  at::parallel_for(0, starts.back(), 16384, [&](int64_t begin, int64_t end) {
    size_t k = std::upper_bound(starts.begin(), starts.end(), begin) - starts.begin() - 1;
    for (int64_t pos = begin; pos < end; ++k) {
      int64_t lo = pos - starts[k];
      int64_t hi = std::min(end, starts[k + 1]) - starts[k];
      AdamWRange(jobs[k], lo, hi, decay, b1, omb1, b2, omb2, eps, h.maximize);
      pos = starts[k] + hi;
    }
  });
}

// The same update as ATen ops, for tensors the fused loop does not take.
void AdamWOps(at::Tensor& p, const at::Tensor& grad, at::Tensor& m, at::Tensor& v, at::Tensor* vmax, double stepSize,
              double bc2Sqrt, const AdamWHyper& h) {
  at::Tensor g = h.maximize ? grad.neg() : grad;
  p.mul_(1 - h.lr * h.weightDecay);
  m.mul_(h.beta1).add_(g, 1 - h.beta1);
  v.mul_(h.beta2).addcmul_(g, g, 1 - h.beta2);
  at::Tensor second = v;
  if (vmax != nullptr) {
    at::maximum_out(*vmax, *vmax, v);
    second = *vmax;
  }
  p.addcdiv_(m, second.sqrt().div_(bc2Sqrt).add_(h.eps), -stepSize);
}

std::vector<double> NumberList(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsArray()) throw ArgError("argument " + std::to_string(i) + ": expected an array of numbers");
  auto arr = info[i].As<Napi::Array>();
  std::vector<double> out(arr.Length());
  for (uint32_t k = 0; k < out.size(); ++k) {
    Napi::Value x = arr.Get(k);
    if (!x.IsNumber()) throw ArgError("argument " + std::to_string(i) + ": element " + std::to_string(k) + " is not a number");
    out[k] = x.As<Napi::Number>().DoubleValue();
  }
  return out;
}

bool Fusable(const at::Tensor& p, const at::Tensor& g, const at::Tensor& m, const at::Tensor& v, const at::Tensor* vmax) {
  auto same = [&](const at::Tensor& t) {
    return t.device().is_cpu() && t.scalar_type() == p.scalar_type() && t.numel() == p.numel() && t.is_contiguous();
  };
  return (p.scalar_type() == at::kFloat || p.scalar_type() == at::kDouble) && same(p) && same(g) && same(m) &&
         same(v) && (vmax == nullptr || same(*vmax));
}

#if LC_TORCH_AT_LEAST(2, 1)
// CUDA tensors on torch >= 2.1: torch's own fused kernel (AdamW(fused=True)), one launch per chunk of many
// tensors. It reads each parameter's step from a float tensor on the device and computes the bias corrections
// itself; parameters sharing a step count share one such tensor (filled on the device: no host round trip).
struct CudaFusedGroup {
  std::vector<at::Tensor> p, g, m, v, vmax, steps;
};

bool CudaFusable(const at::Tensor& p, const at::Tensor& g, const at::Tensor& m, const at::Tensor& v, const at::Tensor* vmax) {
  auto same = [&](const at::Tensor& t) {
    return t.is_cuda() && t.device() == p.device() && t.scalar_type() == p.scalar_type() && t.sizes() == p.sizes() &&
           t.is_contiguous();
  };
  const auto dt = p.scalar_type();
  return (dt == at::kFloat || dt == at::kBFloat16 || dt == at::kHalf || dt == at::kDouble) && same(p) && same(g) &&
         same(m) && same(v) && (vmax == nullptr || same(*vmax));
}

void RunCudaFused(std::map<std::pair<std::string, int>, CudaFusedGroup>& groups, const AdamWHyper& h, bool amsgrad) {
  for (auto& [key, grp] : groups) {
    at::_fused_adamw_(grp.p, grp.g, grp.m, grp.v, amsgrad ? at::TensorList(grp.vmax) : at::TensorList(), grp.steps, h.lr,
                      h.beta1, h.beta2, h.weightDecay, h.eps, amsgrad, h.maximize);
  }
}
#endif

}  // namespace

// (params[], grads[], expAvgs[], expAvgSqs[], maxExpAvgSqs[] | null, stepSizes[], bc2Sqrts[], lr, weightDecay,
//  beta1, beta2, eps, maximize, steps[]?). steps[i] (this parameter's step count after this step) is read only by
//  the CUDA fused kernel; without it CUDA tensors take the per-tensor ATen update. stepSizes[i] = lr / (1 - beta1^step_i), bc2Sqrts[i] = sqrt(1 - beta2^step_i),
// computed by the caller in double as torch does. Updates params and state in place.
LC_OP(adamwStep) {
  auto ps = TL(info, 0), gs = TL(info, 1), ms = TL(info, 2), vs = TL(info, 3);
  bool amsgrad = !IsNil(info[4]);
  std::vector<at::Tensor> maxs;
  if (amsgrad) maxs = TL(info, 4);
  auto stepSizes = NumberList(info, 5), bc2 = NumberList(info, 6);
  AdamWHyper h{D(info, 7), D(info, 8), D(info, 9), D(info, 10), D(info, 11), B(info, 12)};
  size_t n = ps.size();
  if (gs.size() != n || ms.size() != n || vs.size() != n || stepSizes.size() != n || bc2.size() != n ||
      (amsgrad && maxs.size() != n)) {
    throw ArgError("params, grads, state and step lists must have one entry per parameter");
  }
  for (size_t i = 0; i < n; ++i) {
    if (!gs[i].defined()) throw ArgError("parameter " + std::to_string(i) + " has no gradient");
    if (gs[i].sizes() != ps[i].sizes() || ms[i].sizes() != ps[i].sizes() || vs[i].sizes() != ps[i].sizes()) {
      throw ArgError("parameter " + std::to_string(i) + ": gradient or state shape differs from the parameter's " +
                     c10::str(ps[i].sizes()));
    }
  }
  RECORD_FUNCTION("lc::adamw_step", std::vector<c10::IValue>());
  at::NoGradGuard noGrad;
  std::vector<AdamWJob<float>> f32;
  std::vector<AdamWJob<double>> f64;
  std::vector<double> steps;
  if (info.Length() > 13 && !IsNil(info[13])) {
    steps = NumberList(info, 13);
    if (steps.size() != n) throw ArgError("steps must have one entry per parameter");
  }
#if LC_TORCH_AT_LEAST(2, 1)
  std::map<std::pair<std::string, int>, CudaFusedGroup> cuda;
  std::map<std::pair<std::string, double>, at::Tensor> stepTensors;  // (device, step) -> float scalar on it
#endif
  for (size_t i = 0; i < n; ++i) {
    at::Tensor* vmax = amsgrad ? &maxs[i] : nullptr;
#if LC_TORCH_AT_LEAST(2, 1)
    if (!steps.empty() && CudaFusable(ps[i], gs[i], ms[i], vs[i], vmax)) {
      const std::string dev = ps[i].device().str();
      at::Tensor& st = stepTensors[{dev, steps[i]}];
      if (!st.defined()) st = at::scalar_tensor(steps[i], ps[i].options().dtype(at::kFloat));
      CudaFusedGroup& grp = cuda[{dev, static_cast<int>(ps[i].scalar_type())}];
      grp.p.push_back(ps[i]);
      grp.g.push_back(gs[i]);
      grp.m.push_back(ms[i]);
      grp.v.push_back(vs[i]);
      if (vmax != nullptr) grp.vmax.push_back(*vmax);
      grp.steps.push_back(st);
      continue;
    }
#endif
    if (!Fusable(ps[i], gs[i], ms[i], vs[i], vmax)) {
      AdamWOps(ps[i], gs[i], ms[i], vs[i], vmax, stepSizes[i], bc2[i], h);
      continue;
    }
    // Raw writes skip ATen's in-place bookkeeping: bump the version counters as an in-place op would, so that a
    // graph still holding one of these tensors notices it changed.
    for (at::Tensor* t : {&ps[i], &ms[i], &vs[i], vmax}) {
      if (t != nullptr) t->unsafeGetTensorImpl()->bump_version();
    }
    if (ps[i].scalar_type() == at::kFloat) {
      f32.push_back({ps[i].data_ptr<float>(), gs[i].data_ptr<float>(), ms[i].data_ptr<float>(), vs[i].data_ptr<float>(),
                     vmax ? vmax->data_ptr<float>() : nullptr, ps[i].numel(), static_cast<float>(stepSizes[i]),
                     static_cast<float>(bc2[i])});
    } else {
      f64.push_back({ps[i].data_ptr<double>(), gs[i].data_ptr<double>(), ms[i].data_ptr<double>(),
                     vs[i].data_ptr<double>(), vmax ? vmax->data_ptr<double>() : nullptr, ps[i].numel(), stepSizes[i],
                     bc2[i]});
    }
  }
  RunAdamW(f32, h);
  RunAdamW(f64, h);
#if LC_TORCH_AT_LEAST(2, 1)
  RunCudaFused(cuda, h, amsgrad);
#endif
  return info.Env().Undefined();
}

}  // namespace lc
