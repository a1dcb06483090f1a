// Shared machinery of the laclip native addon: tensor handles, argument readers, the op registry and the
// exception guard that turns every C++ failure into a JS error naming the op.
//
// Design: JS owns handles (BigInts naming slots of a slab, see below) that each hold one at::Tensor. The C++
// side owns nothing else. `dispose` drops the tensor and frees the slot at once.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>
#include <torch/version.h>

#include <stdexcept>
#include <string>
#include <vector>

// Ops that only newer libtorch has (scaled_dot_product_attention, _fused_adamw_) are compiled in where the
// headers are at least this version; Debian's libtorch 1.13 builds without them and keeps the composed ops.
#define LC_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace lc {

// ---- errors -------------------------------------------------------------------------------------------------
// Thrown by argument readers; the guard turns them into JS errors of the matching kind.
struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct DisposedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws the JS error built by the factory registered with setErrorFactory(op, kind, message).
[[noreturn]] void ThrowJs(Napi::Env env, const char* op, const char* kind, const std::string& msg);

#define LC_CATCH(env, op)                                                                       \
  catch (const Napi::Error&) {                                                                  \
    throw;                                                                                      \
  }                                                                                             \
  catch (const ::lc::DisposedError& e) {                                                        \
    ::lc::ThrowJs(env, op, "disposed", e.what());                                               \
  }                                                                                             \
  catch (const ::lc::ArgError& e) {                                                             \
    ::lc::ThrowJs(env, op, "argument", e.what());                                               \
  }                                                                                             \
  catch (const c10::Error& e) {                                                                 \
    ::lc::ThrowJs(env, op, "torch", e.what_without_backtrace());                                \
  }                                                                                             \
  catch (const std::exception& e) {                                                             \
    ::lc::ThrowJs(env, op, "internal", e.what());                                               \
  }

// ---- op registry --------------------------------------------------------------------------------------------
using OpFn = Napi::Value (*)(const Napi::CallbackInfo&);
struct OpEntry {
  const char* name;
  OpFn fn;
};
std::vector<OpEntry>& Registry();
struct Registrar {
  Registrar(const char* name, OpFn fn) { Registry().push_back({name, fn}); }
};

// LC_OP(name) { ... } defines an exported function `name` whose body runs inside the exception guard.
#define LC_OP(name)                                                         \
  static Napi::Value name##_body(const Napi::CallbackInfo& info);           \
  static Napi::Value name##_entry(const Napi::CallbackInfo& info) {         \
    try {                                                                   \
      return name##_body(info);                                             \
    }                                                                       \
    LC_CATCH(info.Env(), #name)                                             \
  }                                                                         \
  static ::lc::Registrar name##_registrar(#name, &name##_entry);            \
  static Napi::Value name##_body(const Napi::CallbackInfo& info)

// ---- handles ------------------------------------------------------------------------------------------------
// A tensor handle is a JS BigInt naming a slot of a slab owned by this addon: slot index in the low 24 bits, the
// slot's generation in the 40 above. Disposing a slot bumps its generation, so a stale handle is recognised
// (DisposedError) and never aliases a newer tensor. A BigInt is cheap for V8 to create and collect (no weak
// reference or finalizer, unlike an External) and, unlike a number, cannot be mistaken for a scalar operand.
Napi::Value Wrap(Napi::Env env, at::Tensor t);
Napi::Value WrapOrUndefined(Napi::Env env, const at::Tensor& t);
Napi::Array WrapList(Napi::Env env, const std::vector<at::Tensor>& ts);
Napi::Array WrapPair(Napi::Env env, at::Tensor a, at::Tensor b);

// The tensor a handle names; ArgError if `v` is not a handle, DisposedError if it was disposed.
at::Tensor& TensorOf(const Napi::Value& v, size_t index);
// Points a live handle at another (defined) tensor.
void Repoint(const Napi::Value& v, size_t index, at::Tensor t);
// Frees a handle's slot; false if it was already free (dispose is idempotent).
bool Release(const Napi::Value& v, size_t index);
bool IsReleased(const Napi::Value& v, size_t index);
int64_t LiveHandleCount();
int64_t LiveStorageBytes();

at::Generator* GeneratorOf(const Napi::Value& v, size_t index);
Napi::Value WrapGenerator(Napi::Env env, at::Generator g);

// ---- argument readers (index = position, used in messages) -------------------------------------------------
inline at::Tensor& T(const Napi::CallbackInfo& info, size_t i) { return TensorOf(info[i], i); }
inline bool IsNil(const Napi::Value& v) { return v.IsUndefined() || v.IsNull(); }
c10::optional<at::Tensor> OptT(const Napi::CallbackInfo& info, size_t i);
int64_t I(const Napi::CallbackInfo& info, size_t i);
double D(const Napi::CallbackInfo& info, size_t i);
bool B(const Napi::CallbackInfo& info, size_t i);
at::Scalar S(const Napi::CallbackInfo& info, size_t i);
std::vector<int64_t> IL(const Napi::CallbackInfo& info, size_t i);
c10::optional<std::vector<int64_t>> OptIL(const Napi::CallbackInfo& info, size_t i);
std::vector<at::Tensor> TL(const Napi::CallbackInfo& info, size_t i);
at::ScalarType DT(const Napi::CallbackInfo& info, size_t i);
c10::optional<at::ScalarType> OptDT(const Napi::CallbackInfo& info, size_t i);
at::Device Dev(const Napi::CallbackInfo& info, size_t i);
c10::optional<at::Generator> OptGen(const Napi::CallbackInfo& info, size_t i);
std::string Str(const Napi::CallbackInfo& info, size_t i);

inline at::TensorOptions Opts(const Napi::CallbackInfo& info, size_t dtypeIdx, size_t devIdx) {
  return at::TensorOptions().dtype(DT(info, dtypeIdx)).device(Dev(info, devIdx));
}

}  // namespace lc
