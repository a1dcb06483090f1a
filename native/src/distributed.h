// Data parallelism over libtorch's c10d: one process group per process (the "default group" of
// torch.distributed), a TCPStore for rendezvous and a Gloo (CPU) or NCCL (CUDA) backend for collectives.
//
// Which backends exist is decided at compile time from what the libtorch install provides:
//   LC_HAVE_GLOO  c10d's ProcessGroupGloo header and gloo's own headers (Debian: libgloo-dev) are present and
//                 LACLIP_NO_DIST is not defined. Without it every dist* op throws "built without distributed
//                 support" and the rest of the addon works as before.
//   LC_HAVE_NCCL  additionally a CUDA libtorch (LACLIP_WITH_CUDA, set by torch_config.py), nccl.h and the CUDA
//                 runtime headers. Never built on the CPU-only machines this project is tested on.
//
// Every collective is synchronous from JS's point of view: it is queued on the backend's own threads and this
// thread waits for it with the group's timeout, so a dead or hung peer ends in an exception (a JS EngineError),
// never in a wait without end. After a failed collective the group is marked broken: ranks may disagree on
// what completed, so the only safe continuation is to exit (and resume from a checkpoint).
#pragma once

#if !defined(LACLIP_NO_DIST) && defined(__has_include)
#if __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>) && __has_include(<gloo/config.h>)
#define LC_HAVE_GLOO 1
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#ifndef USE_DISTRIBUTED
#define USE_DISTRIBUTED
#endif
#endif
#endif

#if defined(LC_HAVE_GLOO) && defined(LACLIP_WITH_CUDA)
#if __has_include(<nccl.h>) && __has_include(<cuda_runtime_api.h>) && \
    __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>)
#define LC_HAVE_NCCL 1
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#endif
#endif

#include <chrono>
#include <string>
#include <vector>

#include "common.h"

#ifdef LC_HAVE_GLOO
#include <torch/version.h>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>
#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
#endif
#endif

namespace lc {
namespace dist {

// Thrown by every dist* op when the addon was compiled without c10d/Gloo.
[[noreturn]] void ThrowUnsupported();

#ifdef LC_HAVE_GLOO
// What runs the collectives: ProcessGroupGloo/NCCL are ProcessGroups in libtorch 1.x and Backends (with the
// same collective methods) from 2.0 on.
#if TORCH_VERSION_MAJOR >= 2
using Collectives = c10d::Backend;
#else
using Collectives = c10d::ProcessGroup;
#endif

struct Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<Collectives> pg;
  std::string backend;
  int rank = 0;
  int world = 1;
  std::chrono::milliseconds timeout{0};
  // Set by the first failed collective; every later op refuses with this reason.
  std::string broken;
  uint64_t barriers = 0;
};

// The initialised, healthy group, or an exception naming `op` and what to do.
Group& Current(const char* op);

// Waits for `work` with the group's timeout. On failure marks the group broken and throws a message that
// names the op, this rank, and the likely cause (a peer that died) instead of gloo's bare socket error.
void Wait(Group& g, const c10::intrusive_ptr<c10d::Work>& work, const char* op);

// Marks the group broken and throws the message described at Wait.
[[noreturn]] void Fail(Group& g, const char* op, const std::string& why);

// Runs `fn`, converting any exception into the broken-group error of `op` (for calls that may throw before
// a Work exists, e.g. an allgather whose peer vanished while it was being queued).
template <typename F>
auto Guarded(Group& g, const char* op, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const c10::Error& e) {
    Fail(g, op, e.what_without_backtrace());
  } catch (const std::exception& e) {
    Fail(g, op, e.what());
  }
}

// In-place SUM over ranks of one contiguous tensor.
void AllreduceSum(Group& g, at::Tensor& t, const char* op);

// Gathers every rank's (B_r, ...) tensor, concatenated along dim 0 in rank order. Ranks may hold different
// B_r; the trailing shape and dtype must agree (checked on every rank, so all of them fail alike).
// `offsets` receives each rank's first row (world + 1 entries, the last being the total).
at::Tensor AllgatherCat(Group& g, const at::Tensor& local, std::vector<int64_t>* offsets, const char* op);
#endif

}  // namespace dist
}  // namespace lc
