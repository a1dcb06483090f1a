// The process group's life cycle: rendezvous through a c10d::TCPStore, the Gloo or NCCL backend, a store-based
// barrier with its own timeout, and a teardown that cannot hang. See distributed.h for the design.
#include "distributed.h"

#ifdef LC_HAVE_GLOO
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef LC_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#endif

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace lc {
namespace dist {

void ThrowUnsupported() {
  TORCH_CHECK(false,
              "this laclip native addon was built without distributed support (its libtorch lacks c10d/Gloo, the "
              "gloo headers (Debian: libgloo-dev) were missing, or LACLIP_NO_DIST was set); install libgloo-dev or "
              "point LIBTORCH at a libtorch with distributed support and rebuild with 'make setup'");
}

#ifdef LC_HAVE_GLOO
namespace {
// Never deleted at process exit: a group whose peer vanished may still have a collective blocked on a backend
// thread, and its destructor would wait for it. Static destructors must not be able to hang an exiting worker.
Group* g_group = nullptr;

std::string Where(const Group& g) {
  return "rank " + std::to_string(g.rank) + " of " + std::to_string(g.world) + " (" + g.backend + ")";
}

bool IsLoopback(const std::string& addr) {
  return addr == "localhost" || addr.rfind("127.", 0) == 0 || addr == "::1";
}

c10::intrusive_ptr<Collectives> MakeGloo(const c10::intrusive_ptr<c10d::Store>& store, int rank, int world,
                                                std::chrono::milliseconds timeout, const std::string& masterAddr,
                                                const std::string& ifname) {
  auto o = c10d::ProcessGroupGloo::Options::create(timeout);
  // GLOO_SOCKET_IFNAME (as in torch) picks the NIC; all-local jobs stay on loopback; otherwise the address this
  // host's name resolves to, which is what other machines can reach.
  if (!ifname.empty()) o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
  else if (IsLoopback(masterAddr)) o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  else o->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, world, o);
}
}  // namespace

Group& Current(const char* op) {
  TORCH_CHECK(g_group != nullptr, op, ": no process group; call initProcessGroup() first (src/dist)");
  TORCH_CHECK(g_group->broken.empty(), op, " on ", Where(*g_group), ": the process group is broken by an earlier ",
              "failure (", g_group->broken, "); exit and restart the job");
  return *g_group;
}

void Fail(Group& g, const char* op, const std::string& why) {
  if (g.broken.empty()) g.broken = why;
  TORCH_CHECK(false, op, " failed on ", Where(g), ": ", why,
              ". A peer process probably exited, was killed or is unreachable (or did not reach the same collective "
              "within ", g.timeout.count(), " ms); this process group can no longer be used: exit, and restart the ",
              "job to resume from its last checkpoint");
}

void Wait(Group& g, const c10::intrusive_ptr<c10d::Work>& work, const char* op) {
  // The backend's own timeout fires first with its own message; this one is the backstop against a backend
  // that never reports back.
  auto backstop = g.timeout + std::chrono::milliseconds(5000);
  bool ok = Guarded(g, op, [&] { return work->wait(backstop); });
  if (!ok) Fail(g, op, "the collective was aborted");
}

void AllreduceSum(Group& g, at::Tensor& t, const char* op) {
  std::vector<at::Tensor> v{t};
  c10d::AllreduceOptions o;
  o.reduceOp = c10d::ReduceOp::SUM;
  o.timeout = g.timeout;
  auto work = Guarded(g, op, [&] { return g.pg->allreduce(v, o); });
  Wait(g, work, op);
}
#endif

// (backend "gloo" | "nccl", rank, world, masterAddr, masterPort, timeoutMs, ifname | null, agentPrefix | null).
// Blocks until all `world` ranks have joined or the timeout passes. Normally rank 0 serves the store at
// masterAddr:masterPort. With agentPrefix (torchrun's TORCHELASTIC_USE_AGENT_STORE), a launcher's agent
// already serves it: every rank connects as a client and keeps its keys under the prefix.
LC_OP(distInit) {
#ifdef LC_HAVE_GLOO
  std::string backend = Str(info, 0);
  int64_t rank = I(info, 1), world = I(info, 2);
  std::string addr = Str(info, 3);
  int64_t port = I(info, 4), timeoutMs = I(info, 5);
  std::string ifname = IsNil(info[6]) ? "" : Str(info, 6);
  bool agent = !IsNil(info[7]);
  std::string prefix = agent ? Str(info, 7) : "";
  if (world < 1 || rank < 0 || rank >= world) throw ArgError("rank must be in [0, world), got rank " + std::to_string(rank) + " world " + std::to_string(world));
  if (port < 1 || port > 65535) throw ArgError("master port must be in 1..65535, got " + std::to_string(port));
  if (timeoutMs < 1) throw ArgError("timeoutMs must be positive, got " + std::to_string(timeoutMs));
  if (backend != "gloo" && backend != "nccl") throw ArgError("backend must be 'gloo' or 'nccl', got '" + backend + "'");
#ifndef LC_HAVE_NCCL
  if (backend == "nccl") {
    throw ArgError("backend 'nccl' is not compiled into this addon (it needs a CUDA libtorch with c10d NCCL and nccl.h "
                   "at build time); use 'gloo'");
  }
#endif
  if (g_group != nullptr) throw ArgError("a process group is already initialised in this process; destroy it first");

  std::chrono::milliseconds timeout(timeoutMs);
  auto g = std::make_unique<Group>();
  g->backend = backend;
  g->rank = static_cast<int>(rank);
  g->world = static_cast<int>(world);
  g->timeout = timeout;
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(port);
    so.isServer = rank == 0 && !agent;
    if (!agent) so.numWorkers = static_cast<size_t>(world);
    so.waitWorkers = !agent;
    so.timeout = timeout;
    g->store = c10::make_intrusive<c10d::TCPStore>(addr, so);
    // A later group of this process (after distDestroy) must not meet the keys of an earlier one in the
    // agent's long-lived store; every rank creates its groups in the same order, so the count agrees.
    static int groupsJoined = 0;
    if (agent) g->store = c10::make_intrusive<c10d::PrefixStore>(prefix + "g" + std::to_string(groupsJoined++) + "/", g->store);
#ifdef LC_HAVE_NCCL
    if (backend == "nccl") {
      auto o = c10d::ProcessGroupNCCL::Options::create();
      o->timeout = timeout;
      g->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(g->store, g->rank, g->world, o);
    }
#endif
    if (backend == "gloo") g->pg = MakeGloo(g->store, g->rank, g->world, timeout, addr, ifname);
  } catch (const std::exception& e) {
    const c10::Error* ce = dynamic_cast<const c10::Error*>(&e);
    std::string why = ce ? ce->what_without_backtrace() : e.what();
    // The half-built store/group may hold sockets to peers that are gone; release without destructors.
    g->pg.release();
    g->store.release();
    TORCH_CHECK(false, "rendezvous of rank ", rank, " of ", world, " at ", addr, ":", port, " failed within ",
                timeoutMs, " ms: ", why, ". Check that every rank was started with the same MASTER_ADDR, MASTER_PORT and ",
                "WORLD_SIZE, that rank 0 is running and reachable, and that the port is free on rank 0's host");
  }
  g_group = g.release();
  return info.Env().Undefined();
#else
  ThrowUnsupported();
#endif
}

// -> ["gloo"] or ["gloo", "nccl"], or [] when built without distributed support.
LC_OP(distBackends) {
  auto arr = Napi::Array::New(info.Env());
#ifdef LC_HAVE_GLOO
  arr.Set(0u, Napi::String::New(info.Env(), "gloo"));
#ifdef LC_HAVE_NCCL
  arr.Set(1u, Napi::String::New(info.Env(), "nccl"));
#endif
#endif
  return arr;
}

// -> { backend, rank, world, broken } of the current group, or null.
LC_OP(distInfo) {
#ifdef LC_HAVE_GLOO
  if (g_group == nullptr) return info.Env().Null();
  auto o = Napi::Object::New(info.Env());
  o.Set("backend", g_group->backend);
  o.Set("rank", g_group->rank);
  o.Set("world", g_group->world);
  o.Set("broken", g_group->broken.empty() ? info.Env().Null() : Napi::String::New(info.Env(), g_group->broken));
  return o;
#else
  return info.Env().Null();
#endif
}

// (timeoutMs): returns once every rank has called it. Goes through the store rather than the backend so that
// it can wait far longer than a collective may (rank 0 evaluating or writing a checkpoint while the others
// wait), and so that it works the same for Gloo and NCCL.
LC_OP(distBarrier) {
#ifdef LC_HAVE_GLOO
  const char* op = "distBarrier";
  Group& g = Current(op);
  std::chrono::milliseconds timeout(I(info, 0));
  std::string key = "lc/barrier/" + std::to_string(++g.barriers);
  Guarded(g, op, [&] {
    if (g.store->add(key + "/arrived", 1) == g.world) g.store->set(key + "/done", std::vector<uint8_t>{1});
    g.store->wait({key + "/done"}, timeout);
    return 0;
  });
  return info.Env().Undefined();
#else
  ThrowUnsupported();
#endif
}

// Leaves the process group; true if there was one. Rank 0 hosts the store, so it waits (briefly) until every
// rank has checked out before closing it: a rank still talking to the store would otherwise see a reset
// connection. A broken group is abandoned, not destroyed (its destructor could wait on a stuck collective).
LC_OP(distDestroy) {
#ifdef LC_HAVE_GLOO
  if (g_group == nullptr) return Napi::Boolean::New(info.Env(), false);
  Group* g = g_group;
  g_group = nullptr;
  if (g->broken.empty()) {
    try {
      if (g->store->add("lc/exit", 1) == g->world) g->store->set("lc/exit/done", std::vector<uint8_t>{1});
      if (g->rank == 0) g->store->wait({"lc/exit/done"}, std::min(g->timeout, std::chrono::milliseconds(30000)));
    } catch (const std::exception&) {
      g->broken = "a peer left without checking out";
    }
  }
  if (!g->broken.empty()) {
    g->pg.release();
    g->store.release();
  }
  delete g;
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

// (fd): watches the read end of the launcher's lifeline pipe on a thread of its own and ends this process
// (_exit(1), no exit handlers, so nothing can hang) when the launcher's end closes, i.e. when the launcher
// died. A native thread rather than a JS stream: it must work while the JS thread is busy or blocked inside
// a collective. Independent of c10d.
LC_OP(distWatchLifeline) {
  int fd = static_cast<int>(I(info, 0));
  if (fd < 3) throw ArgError("lifeline fd must be >= 3 (0-2 are stdio), got " + std::to_string(fd));
  std::thread([fd] {
    char buf[64];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      int r = poll(&p, 1, -1);
      if (r < 0 && errno == EINTR) continue;
      if (r > 0) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR))) continue;
      }
      static const char kMsg[] = "laclip worker: the launcher has gone away (its lifeline pipe closed); exiting\n";
      ssize_t ignored = write(2, kMsg, sizeof kMsg - 1);
      (void)ignored;
      _exit(1);
    }
  }).detach();
  return info.Env().Undefined();
}

}  // namespace dist
}  // namespace lc
