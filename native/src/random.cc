// Seeded random numbers: the global seed (same streams as PyTorch's torch.manual_seed) and explicit generators.
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>

#include <mutex>

#include "common.h"

namespace lc {

namespace {
// Generators are CPU generators; for another device the values are drawn on the CPU and moved, so that a seed
// gives the same numbers everywhere.
at::Tensor OnDevice(at::Tensor t, const at::Device& dev) { return dev.is_cpu() ? t : t.to(dev); }
at::TensorOptions CpuOpts(const Napi::CallbackInfo& info, size_t dtypeIdx) {
  return at::TensorOptions().dtype(DT(info, dtypeIdx));
}
bool Drawn(const c10::optional<at::Generator>& g, const at::Device& dev) { return g.has_value() && !dev.is_cpu(); }
}  // namespace

LC_OP(manualSeed) {
  at::manual_seed(static_cast<uint64_t>(I(info, 0)));
  return info.Env().Undefined();
}

LC_OP(generatorNew) {
  return WrapGenerator(info.Env(), at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(I(info, 0))));
}

LC_OP(generatorSetSeed) {
  at::Generator* g = GeneratorOf(info[0], 0);
  std::lock_guard<std::mutex> lock(g->mutex());
  g->set_current_seed(static_cast<uint64_t>(I(info, 1)));
  return info.Env().Undefined();
}

// (shape, dtype, device, gen?)
LC_OP(randn) {
  auto gen = OptGen(info, 3);
  at::Device dev = Dev(info, 2);
  if (Drawn(gen, dev)) return Wrap(info.Env(), OnDevice(at::randn(IL(info, 0), gen, CpuOpts(info, 1)), dev));
  return Wrap(info.Env(), at::randn(IL(info, 0), gen, Opts(info, 1, 2)));
}

LC_OP(rand) {
  auto gen = OptGen(info, 3);
  at::Device dev = Dev(info, 2);
  if (Drawn(gen, dev)) return Wrap(info.Env(), OnDevice(at::rand(IL(info, 0), gen, CpuOpts(info, 1)), dev));
  return Wrap(info.Env(), at::rand(IL(info, 0), gen, Opts(info, 1, 2)));
}

// (low, high, shape, dtype, device, gen?)
LC_OP(randint) {
  auto gen = OptGen(info, 5);
  at::Device dev = Dev(info, 4);
  if (Drawn(gen, dev)) {
    return Wrap(info.Env(), OnDevice(at::randint(I(info, 0), I(info, 1), IL(info, 2), gen, CpuOpts(info, 3)), dev));
  }
  return Wrap(info.Env(), at::randint(I(info, 0), I(info, 1), IL(info, 2), gen, Opts(info, 3, 4)));
}

// (n, dtype, device, gen?)
LC_OP(randperm) {
  auto gen = OptGen(info, 3);
  at::Device dev = Dev(info, 2);
  if (Drawn(gen, dev)) return Wrap(info.Env(), OnDevice(at::randperm(I(info, 0), gen, CpuOpts(info, 1)), dev));
  return Wrap(info.Env(), at::randperm(I(info, 0), gen, Opts(info, 1, 2)));
}

// In-place initialisers: (h, a, b, gen?). Initialisation is not part of any graph, as under torch.no_grad.
LC_OP(normal_) {
  c10::NoGradGuard no_grad;
  T(info, 0).normal_(D(info, 1), D(info, 2), OptGen(info, 3));
  return info.Env().Undefined();
}

LC_OP(uniform_) {
  c10::NoGradGuard no_grad;
  T(info, 0).uniform_(D(info, 1), D(info, 2), OptGen(info, 3));
  return info.Env().Undefined();
}

LC_OP(bernoulli_) {
  T(info, 0).bernoulli_(D(info, 1), OptGen(info, 2));
  return info.Env().Undefined();
}

// (x, p, train, gen?) -> x * mask / (1 - p); the mask is drawn from `gen` (or the global generator).
LC_OP(dropout) {
  at::Tensor& x = T(info, 0);
  double p = D(info, 1);
  if (p < 0 || p > 1) throw ArgError("dropout probability must be in [0, 1], got " + std::to_string(p));
  if (!B(info, 2) || p == 0) return Wrap(info.Env(), x);
  if (p == 1) return Wrap(info.Env(), x * at::zeros_like(x));
  at::Tensor mask = at::empty_like(x, at::MemoryFormat::Contiguous).bernoulli_(1 - p, OptGen(info, 3));
  return Wrap(info.Env(), x * mask.div_(1 - p));
}

}  // namespace lc
