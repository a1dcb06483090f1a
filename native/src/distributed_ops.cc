// Collectives on the current process group: bucketed in-place all-reduce and broadcast of tensor lists
// (gradients, parameters), all-gather along dim 0, and reduce-scatter.
#include "distributed.h"

#include <ATen/ATen.h>

namespace lc {
namespace dist {

#ifdef LC_HAVE_GLOO
namespace {

// Consecutive runs of tensors sharing dtype and device, cut so that no bucket exceeds capBytes (a tensor
// larger than the cap gets a bucket of its own). Every rank passes the same list, so every rank cuts the same
// buckets: that, not any message, is what keeps their collectives matched.
std::vector<std::vector<size_t>> Buckets(const std::vector<at::Tensor>& ts, int64_t capBytes) {
  std::vector<std::vector<size_t>> out;
  int64_t bytes = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    const at::Tensor& t = ts[i];
    int64_t n = t.numel() * static_cast<int64_t>(t.element_size());
    bool fresh = out.empty() || bytes + n > capBytes || ts[out.back()[0]].scalar_type() != t.scalar_type() ||
                 ts[out.back()[0]].device() != t.device();
    if (fresh) {
      out.emplace_back();
      bytes = 0;
    }
    out.back().push_back(i);
    bytes += n;
  }
  return out;
}

// One bucket's communication buffer: the tensor itself when it is alone and contiguous (no copies), else
// the members flattened into one new 1-D buffer.
at::Tensor BucketBuffer(const std::vector<at::Tensor>& ts, const std::vector<size_t>& idx, bool* shared) {
  *shared = idx.size() == 1 && ts[idx[0]].is_contiguous();
  if (*shared) return ts[idx[0]];
  std::vector<at::Tensor> flat;
  flat.reserve(idx.size());
  for (size_t i : idx) flat.push_back(ts[i].reshape({-1}));
  return at::cat(flat);
}

void Unflatten(const at::Tensor& buf, std::vector<at::Tensor>& ts, const std::vector<size_t>& idx) {
  int64_t off = 0;
  for (size_t i : idx) {
    int64_t n = ts[i].numel();
    ts[i].copy_(buf.narrow(0, off, n).view(ts[i].sizes()));
    off += n;
  }
}

using Launch = c10::intrusive_ptr<c10d::Work> (*)(Group&, std::vector<at::Tensor>&, int64_t);

// Runs `launch` on every bucket (all queued before the first wait, so the backend's threads overlap them),
// then `finish` on each buffer, then copies flattened buffers back into their members.
template <typename Finish>
void Bucketed(Group& g, std::vector<at::Tensor>& ts, int64_t capBytes, const char* op, Launch launch, int64_t arg,
              Finish finish) {
  for (const at::Tensor& t : ts) {
    if (!t.defined()) throw ArgError(std::string(op) + ": undefined tensor in the list");
  }
  auto buckets = Buckets(ts, capBytes);
  std::vector<at::Tensor> bufs;
  std::vector<bool> shared;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  for (const auto& b : buckets) {
    bool s = false;
    bufs.push_back(BucketBuffer(ts, b, &s));
    shared.push_back(s);
    std::vector<at::Tensor> one{bufs.back()};
    works.push_back(Guarded(g, op, [&] { return launch(g, one, arg); }));
  }
  for (size_t k = 0; k < buckets.size(); ++k) {
    Wait(g, works[k], op);
    finish(bufs[k]);
    if (!shared[k]) Unflatten(bufs[k], ts, buckets[k]);
  }
}

c10::intrusive_ptr<c10d::Work> LaunchSum(Group& g, std::vector<at::Tensor>& v, int64_t) {
  c10d::AllreduceOptions o;
  o.reduceOp = c10d::ReduceOp::SUM;
  o.timeout = g.timeout;
  return g.pg->allreduce(v, o);
}

c10::intrusive_ptr<c10d::Work> LaunchBroadcast(Group& g, std::vector<at::Tensor>& v, int64_t root) {
  c10d::BroadcastOptions o;
  o.rootRank = root;
  o.timeout = g.timeout;
  return g.pg->broadcast(v, o);
}

// "Float (4, 512)" from an AllgatherCat shape record.
std::string Describe(const int64_t* m) {
  std::string s = c10::toString(static_cast<at::ScalarType>(m[2])) + std::string(" (") + std::to_string(m[0]);
  for (int64_t d = 1; d < m[1]; ++d) s += ", " + std::to_string(m[2 + d]);
  return s + ")";
}

}  // namespace

at::Tensor AllgatherCat(Group& g, const at::Tensor& local, std::vector<int64_t>* offsets, const char* op) {
  // Shape check first: [rows, ndim, dtype, trailing dims..., -1 padding]. A tensor this code cannot describe
  // still takes part (ndim -1), so that every rank fails on the same collective instead of one waiting alone.
  constexpr int64_t kMeta = 12;
  const int64_t W = g.world;
  auto longs = at::TensorOptions().dtype(at::kLong).device(local.device());
  std::vector<int64_t> m(kMeta, -1);
  bool describable = local.dim() >= 1 && local.dim() <= kMeta - 3;
  m[0] = describable ? local.size(0) : 0;
  m[1] = describable ? local.dim() : -1;
  m[2] = static_cast<int64_t>(local.scalar_type());
  for (int64_t d = 1; describable && d < local.dim(); ++d) m[2 + d] = local.size(d);
  at::Tensor meta = at::tensor(m, at::TensorOptions().dtype(at::kLong)).to(local.device());
  std::vector<std::vector<at::Tensor>> metaOut(1);
  for (int64_t r = 0; r < W; ++r) metaOut[0].push_back(at::empty({kMeta}, longs));
  std::vector<at::Tensor> metaIn{meta};
  Wait(g, Guarded(g, op, [&] { return g.pg->allgather(metaOut, metaIn); }), op);

  std::vector<int64_t> rows(W);
  offsets->assign(W + 1, 0);
  at::Tensor mine = meta.cpu();
  for (int64_t r = 0; r < W; ++r) {
    at::Tensor theirs = metaOut[0][r].cpu();
    auto* a = mine.data_ptr<int64_t>();
    auto* b = theirs.data_ptr<int64_t>();
    if (b[1] < 0) TORCH_CHECK(false, op, ": rank ", r, " passed a tensor with 0 or more than ", kMeta - 3, " dimensions");
    for (int64_t k = 1; k < kMeta; ++k) {
      TORCH_CHECK(a[k] == b[k], op, ": rank ", r, " passed a ", Describe(b), " tensor but rank ", g.rank, " passed a ",
                  Describe(a), " one; the tensors of all ranks may differ only in their first dimension");
    }
    rows[r] = b[0];
    (*offsets)[r + 1] = (*offsets)[r] + b[0];
  }

  // Equal rows (the usual case) gather as they are; otherwise each rank pads to the longest and the padding
  // is cut off again.
  int64_t maxRows = *std::max_element(rows.begin(), rows.end());
  at::Tensor in = local.contiguous();
  if (in.size(0) < maxRows) {
    auto padSizes = in.sizes().vec();
    padSizes[0] = maxRows - in.size(0);
    in = at::cat({in, at::zeros(padSizes, in.options())});
  }
  if (maxRows == 0) return in;  // (0, ...): nothing to exchange
  std::vector<std::vector<at::Tensor>> out(1);
  for (int64_t r = 0; r < W; ++r) out[0].push_back(at::empty_like(in));
  std::vector<at::Tensor> inV{in};
  Wait(g, Guarded(g, op, [&] { return g.pg->allgather(out, inV); }), op);
  std::vector<at::Tensor> parts;
  for (int64_t r = 0; r < W; ++r) parts.push_back(rows[r] == maxRows ? out[0][r] : out[0][r].narrow(0, 0, rows[r]));
  return at::cat(parts);
}
#endif

// (tensors[], average, bucketBytes): sums (or averages) each tensor over ranks, in place.
LC_OP(distAllreduce) {
#ifdef LC_HAVE_GLOO
  const char* op = "distAllreduce";
  Group& g = Current(op);
  auto ts = TL(info, 0);
  bool average = B(info, 1);
  int64_t cap = I(info, 2);
  at::NoGradGuard ng;
  // Gloo has no AVG in libtorch 1.13: sum, then divide the (flattened) buffer once.
  Bucketed(g, ts, cap, op, &LaunchSum, 0, [&](at::Tensor& buf) {
    if (average && g.world > 1) buf.div_(g.world);
  });
  return info.Env().Undefined();
#else
  ThrowUnsupported();
#endif
}

// (tensors[], root, bucketBytes): every rank's tensors take root's values, in place.
LC_OP(distBroadcast) {
#ifdef LC_HAVE_GLOO
  const char* op = "distBroadcast";
  Group& g = Current(op);
  auto ts = TL(info, 0);
  int64_t root = I(info, 1);
  if (root < 0 || root >= g.world) throw ArgError("broadcast root must be in [0, world), got " + std::to_string(root));
  at::NoGradGuard ng;
  Bucketed(g, ts, I(info, 2), op, &LaunchBroadcast, root, [](at::Tensor&) {});
  return info.Env().Undefined();
#else
  ThrowUnsupported();
#endif
}

// (x (B_r, ...)) -> (sum of B_r, ...): every rank's rows in rank order. No gradient (distAllgatherWithGrad has one).
LC_OP(distAllgather) {
#ifdef LC_HAVE_GLOO
  const char* op = "distAllgather";
  Group& g = Current(op);
  at::NoGradGuard ng;
  std::vector<int64_t> offsets;
  return Wrap(info.Env(), AllgatherCat(g, T(info, 0).detach(), &offsets, op));
#else
  ThrowUnsupported();
#endif
}

// (x (W * B, ...), average) -> (B, ...): chunk r of the sum (or mean) over ranks goes to rank r. Gloo in
// libtorch 1.13 has no reduce_scatter, so this all-reduces a copy and keeps this rank's chunk; the traffic is
// twice a true reduce-scatter's, which only matters for large tensors.
LC_OP(distReduceScatter) {
#ifdef LC_HAVE_GLOO
  const char* op = "distReduceScatter";
  Group& g = Current(op);
  const at::Tensor& x = T(info, 0);
  bool average = B(info, 1);
  if (x.dim() < 1 || x.size(0) % g.world != 0) {
    throw ArgError(std::string(op) + ": the first dimension (" + (x.dim() ? std::to_string(x.size(0)) : "none") +
                   ") must be a multiple of the world size " + std::to_string(g.world));
  }
  at::NoGradGuard ng;
  at::Tensor sum = x.detach().clone(at::MemoryFormat::Contiguous);
  AllreduceSum(g, sum, op);
  int64_t chunk = x.size(0) / g.world;
  at::Tensor mine = sum.narrow(0, g.rank * chunk, chunk).clone();
  if (average && g.world > 1) mine.div_(g.world);
  return Wrap(info.Env(), mine);
#else
  ThrowUnsupported();
#endif
}

}  // namespace dist
}  // namespace lc
