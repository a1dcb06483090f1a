// libtorch's own op profiler, for finding where a training step spends its time: between profilerStart(path)
// and profilerStop() every ATen op (forward and backward, they run on this thread on the CPU) is recorded, and
// stop writes them as a Chrome trace (JSON events with name, start and duration in microseconds) to `path`.
#include <torch/csrc/autograd/profiler_legacy.h>

#include <memory>

#include "common.h"

namespace lc {

namespace {
std::unique_ptr<torch::autograd::profiler::RecordProfile> g_profile;
}

LC_OP(profilerStart) {
  std::string path = Str(info, 0);
  if (g_profile) throw ArgError("the profiler is already running; call profilerStop() first");
  g_profile = std::make_unique<torch::autograd::profiler::RecordProfile>(path);
  return info.Env().Undefined();
}

// Writes the trace; a no-op when the profiler is not running.
LC_OP(profilerStop) {
  g_profile.reset();
  return info.Env().Undefined();
}

}  // namespace lc
