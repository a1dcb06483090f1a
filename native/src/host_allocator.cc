// Host memory policy, set once when the addon loads. Tensors are malloc'd blocks of megabytes, freed and
// allocated again every step. glibc's defaults return such blocks to the kernel on free (mmap'd chunks, and a
// heap top trimmed past twice the largest freed chunk), so the next step's tensors are paged in again, one
// fault per 4 KiB; on a VM a fault costs microseconds. Here blocks up to 32 MiB (glibc's ceiling for the
// setting) come from the heap, and up to 1 GiB of freed heap is kept for reuse. Measured on ViT-B/16 feature
// extraction: page faults stop growing with the number of steps (BENCHMARKS.md). A MALLOC_*_ variable or
// GLIBC_TUNABLES given by the user, or LACLIP_MALLOC=default, keeps glibc's own behaviour.
#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "common.h"

namespace lc {

namespace {

constexpr int kMmapThreshold = 32 << 20;
constexpr int kTrimThreshold = 1 << 30;

struct Policy {
  bool applied = false;
  std::string reason;
};

const Policy& Configure() {
  static const Policy p = [] {
    Policy r;
    if (const char* v = std::getenv("LACLIP_MALLOC"); v != nullptr && std::strcmp(v, "default") == 0) {
      r.reason = "LACLIP_MALLOC=default";
      return r;
    }
    for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"}) {
      if (std::getenv(name) != nullptr) {
        r.reason = std::string(name) + " is set";
        return r;
      }
    }
    // Both or neither: setting only the trim threshold freezes the mmap threshold at 128 KiB.
    r.applied = mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1;
    r.reason = r.applied ? "set" : "mallopt refused";
    return r;
  }();
  return p;
}

}  // namespace

void ConfigureHostAllocator() { Configure(); }

// () -> { applied, reason, mmapThreshold, trimThreshold }
LC_OP(hostAllocatorPolicy) {
  const Policy& p = Configure();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("applied", p.applied);
  o.Set("reason", p.reason);
  o.Set("mmapThreshold", p.applied ? kMmapThreshold : 0);
  o.Set("trimThreshold", p.applied ? kTrimThreshold : 0);
  return o;
}

}  // namespace lc
