// Shared machinery of the laclip native addon: tensor handles, argument readers, the op registry and the
// exception guard that turns every C++ failure into a JS error naming the op.
//
// Design: JS owns handles (napi External values, type-tagged) that each hold one at::Tensor. The C++ side owns
// nothing else. `dispose` drops the tensor at once; the External's finalizer only frees the small Handle.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <stdexcept>
#include <string>
#include <vector>

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
struct Handle {
  at::Tensor t;
  Handle* prev = nullptr;  // intrusive list of handles holding a defined tensor (for live counts/bytes)
  Handle* next = nullptr;
  bool linked = false;
};

// Replaces the tensor a handle holds, keeping the live list in step (an undefined tensor unlinks it).
void SetTensor(Handle* h, at::Tensor t);
int64_t LiveHandleCount();
int64_t LiveStorageBytes();

Napi::Value Wrap(Napi::Env env, at::Tensor t);
Napi::Value WrapOrUndefined(Napi::Env env, const at::Tensor& t);
Napi::Array WrapList(Napi::Env env, const std::vector<at::Tensor>& ts);
Napi::Array WrapPair(Napi::Env env, at::Tensor a, at::Tensor b);

Handle* HandleOf(const Napi::Value& v, size_t index);
at::Generator* GeneratorOf(const Napi::Value& v, size_t index);
Napi::Value WrapGenerator(Napi::Env env, at::Generator g);

// ---- argument readers (index = position, used in messages) -------------------------------------------------
inline at::Tensor& T(const Napi::CallbackInfo& info, size_t i) {
  Handle* h = HandleOf(info[i], i);
  if (!h->t.defined()) throw DisposedError("argument " + std::to_string(i) + " is a disposed tensor");
  return h->t;
}
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
