// Tensor metadata, host <-> tensor copies, factories, conversions, threads and build information.
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <cstring>
#include <dlfcn.h>
#include <link.h>

#include "common.h"

namespace lc {

LC_OP(shape) {
  auto sizes = T(info, 0).sizes();
  auto arr = Napi::Array::New(info.Env(), sizes.size());
  for (uint32_t i = 0; i < sizes.size(); ++i) arr.Set(i, Napi::Number::New(info.Env(), sizes[i]));
  return arr;
}

LC_OP(strides) {
  auto st = T(info, 0).strides();
  auto arr = Napi::Array::New(info.Env(), st.size());
  for (uint32_t i = 0; i < st.size(); ++i) arr.Set(i, Napi::Number::New(info.Env(), st[i]));
  return arr;
}

LC_OP(dtype) { return Napi::Number::New(info.Env(), static_cast<int>(T(info, 0).scalar_type())); }

LC_OP(device) { return Napi::String::New(info.Env(), T(info, 0).device().str()); }

LC_OP(isContiguous) { return Napi::Boolean::New(info.Env(), T(info, 0).is_contiguous()); }

// (bytes: Uint8Array | other typed array, shape, dtype, device) -> handle. One memcpy into a fresh tensor.
LC_OP(fromBytes) {
  if (!info[0].IsTypedArray()) throw ArgError("argument 0: expected a typed array");
  // napi_get_typedarray_info gives the view's first byte whether an ArrayBuffer or a SharedArrayBuffer backs it
  // (node-addon-api's TypedArray::ArrayBuffer() refuses the shared kind, which worker pools hand out).
  napi_typedarray_type type;
  size_t length;
  void* data = nullptr;
  if (napi_get_typedarray_info(info.Env(), info[0], &type, &length, &data, nullptr, nullptr) != napi_ok) {
    throw ArgError("argument 0: cannot read the typed array's memory");
  }
  const uint8_t* src = static_cast<const uint8_t*>(data);
  size_t nbytes = info[0].As<Napi::TypedArray>().ByteLength();
  at::Tensor t = at::empty(IL(info, 1), at::TensorOptions().dtype(DT(info, 2)));
  if (static_cast<size_t>(t.nbytes()) != nbytes) {
    throw ArgError("byte length " + std::to_string(nbytes) + " does not match shape " + c10::str(t.sizes()) +
                   " of " + c10::toString(t.scalar_type()) + " (" + std::to_string(t.nbytes()) + " bytes)");
  }
  if (nbytes) std::memcpy(t.data_ptr(), src, nbytes);
  at::Device dev = Dev(info, 3);
  if (!dev.is_cpu()) t = t.to(dev);
  return Wrap(info.Env(), std::move(t));
}

// (h, dtype?) -> ArrayBuffer of C-contiguous CPU bytes, converted to dtype first when given.
LC_OP(toBytes) {
  at::Tensor t = T(info, 0);
  auto dt = OptDT(info, 1);
  t = t.to(at::kCPU, dt.value_or(t.scalar_type())).contiguous();
  auto ab = Napi::ArrayBuffer::New(info.Env(), t.nbytes());
  if (t.nbytes()) std::memcpy(ab.Data(), t.data_ptr(), t.nbytes());
  return ab;
}

LC_OP(item) {
  at::Tensor& t = T(info, 0);
  if (t.numel() != 1) throw ArgError("item() needs a tensor with one element, got shape " + c10::str(t.sizes()));
  at::Scalar s = t.item();
  if (s.isBoolean()) return Napi::Number::New(info.Env(), s.toBool() ? 1 : 0);
  return Napi::Number::New(info.Env(), s.toDouble());
}

LC_OP(empty) { return Wrap(info.Env(), at::empty(IL(info, 0), Opts(info, 1, 2))); }
LC_OP(zeros) { return Wrap(info.Env(), at::zeros(IL(info, 0), Opts(info, 1, 2))); }
LC_OP(ones) { return Wrap(info.Env(), at::ones(IL(info, 0), Opts(info, 1, 2))); }
LC_OP(full) { return Wrap(info.Env(), at::full(IL(info, 0), S(info, 1), Opts(info, 2, 3))); }
LC_OP(arange) { return Wrap(info.Env(), at::arange(S(info, 0), S(info, 1), S(info, 2), Opts(info, 3, 4))); }
LC_OP(linspace) { return Wrap(info.Env(), at::linspace(S(info, 0), S(info, 1), I(info, 2), Opts(info, 3, 4))); }
LC_OP(eye) { return Wrap(info.Env(), at::eye(I(info, 0), I(info, 1), Opts(info, 2, 3))); }
LC_OP(zerosLike) { return Wrap(info.Env(), at::zeros_like(T(info, 0))); }
LC_OP(onesLike) { return Wrap(info.Env(), at::ones_like(T(info, 0))); }
LC_OP(fullLike) { return Wrap(info.Env(), at::full_like(T(info, 0), S(info, 1))); }

// (h, dtype?, device?, copy) -> handle; shares storage when nothing changes and copy is false.
LC_OP(to) {
  at::Tensor& t = T(info, 0);
  auto dt = OptDT(info, 1);
  at::Device dev = IsNil(info[2]) ? t.device() : Dev(info, 2);
  return Wrap(info.Env(), t.to(dev, dt.value_or(t.scalar_type()), false, B(info, 3)));
}

LC_OP(clone) { return Wrap(info.Env(), T(info, 0).clone()); }
LC_OP(contiguous) { return Wrap(info.Env(), T(info, 0).contiguous()); }
LC_OP(alias) { return Wrap(info.Env(), T(info, 0)); }

// OpenBLAS keeps its own thread pool; keep it in step with ATen's. libblas is a dependency of libtorch_cpu,
// loaded into the addon's local scope, so it is looked up by name (RTLD_NOLOAD: only if already loaded).
using BlasSetThreads = void (*)(int);
static BlasSetThreads FindBlasSetThreads() {
  void* sym = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  for (const char* lib : {"libblas.so.3", "libopenblas.so.0", "libopenblas.so"}) {
    if (sym) break;
    if (void* h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD)) sym = dlsym(h, "openblas_set_num_threads");
  }
  return reinterpret_cast<BlasSetThreads>(sym);
}

static void SetBlasThreads(int n) {
  static BlasSetThreads fn = FindBlasSetThreads();
  if (fn) fn(n);
}

// The BLAS libraries loaded in this process (paths), and whether OpenBLAS's thread control was found.
LC_OP(blasInfo) {
  std::vector<std::string> libs;
  dl_iterate_phdr(
      [](struct dl_phdr_info* info, size_t, void* data) {
        std::string name = info->dlpi_name ? info->dlpi_name : "";
        if (name.find("blas") != std::string::npos || name.find("mkl") != std::string::npos) {
          static_cast<std::vector<std::string>*>(data)->push_back(name);
        }
        return 0;
      },
      &libs);
  auto obj = Napi::Object::New(info.Env());
  auto arr = Napi::Array::New(info.Env(), libs.size());
  for (uint32_t i = 0; i < libs.size(); ++i) arr.Set(i, Napi::String::New(info.Env(), libs[i]));
  obj.Set("libraries", arr);
  obj.Set("openblasThreadControl", Napi::Boolean::New(info.Env(), FindBlasSetThreads() != nullptr));
  return obj;
}

LC_OP(setNumThreads) {
  int64_t n = I(info, 0);
  if (n < 1) throw ArgError("thread count must be >= 1, got " + std::to_string(n));
  at::set_num_threads(static_cast<int>(n));
  SetBlasThreads(static_cast<int>(n));
  return info.Env().Undefined();
}

LC_OP(getNumThreads) { return Napi::Number::New(info.Env(), at::get_num_threads()); }

LC_OP(version) { return Napi::String::New(info.Env(), TORCH_VERSION); }

LC_OP(parallelInfo) { return Napi::String::New(info.Env(), at::get_parallel_info()); }

LC_OP(cudaDeviceCount) {
  return Napi::Number::New(info.Env(), at::globalContext().hasCUDA() ? static_cast<double>(at::detail::getCUDAHooks().getNumGPUs()) : 0);
}

LC_OP(builtWithCuda) {
#ifdef LACLIP_WITH_CUDA
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

}  // namespace lc
