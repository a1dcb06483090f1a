// Handles, argument readers, error factory and module init. Ops live in the other files and register
// themselves through LC_OP, so adding an op never touches this file.
#include "common.h"

#include <cmath>
#include <unordered_set>

namespace lc {

namespace {
// A random 128-bit tag so that no other addon's External can pass for one of our generators.
const napi_type_tag kGeneratorTag = {0x6c61636c69706731ULL, 0xbf58476d1ce4e5b9ULL};

constexpr int kSlotBits = 24;
constexpr uint64_t kMaxGeneration = (uint64_t{1} << (64 - kSlotBits)) - 1;

struct Slot {
  at::Tensor t;
  uint64_t gen = 0;
  int64_t nextFree = -1;
  bool used = false;
};
std::vector<Slot> g_slots;
int64_t g_free = -1;
int64_t g_live = 0;

struct AddonData {
  Napi::FunctionReference errorFactory;
};

std::string At(size_t i) { return "argument " + std::to_string(i) + ": "; }
}  // namespace

std::vector<OpEntry>& Registry() {
  static std::vector<OpEntry> entries;
  return entries;
}

[[noreturn]] void ThrowJs(Napi::Env env, const char* op, const char* kind, const std::string& msg) {
  auto* data = env.GetInstanceData<AddonData>();
  if (data && !data->errorFactory.IsEmpty()) {
    Napi::Value err = data->errorFactory.Call(
        {Napi::String::New(env, op), Napi::String::New(env, kind), Napi::String::New(env, msg)});
    throw Napi::Error(env, err);
  }
  throw Napi::Error::New(env, std::string(op) + ": " + msg);
}

// Decodes a handle to its slot; nullptr if the number is not a handle at all, `stale` if its slot moved on.
Slot* Decode(const Napi::Value& v, size_t i, bool* stale) {
  if (!v.IsBigInt()) throw ArgError(At(i) + "expected a tensor handle");
  bool lossless;
  uint64_t id = v.As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) throw ArgError(At(i) + "expected a tensor handle");
  uint64_t slot = id & ((uint64_t{1} << kSlotBits) - 1);
  uint64_t gen = id >> kSlotBits;
  if (slot >= g_slots.size()) throw ArgError(At(i) + "expected a tensor handle");
  Slot& s = g_slots[slot];
  *stale = !s.used || s.gen != gen;
  return &s;
}

Napi::Value Wrap(Napi::Env env, at::Tensor t) {
  int64_t idx;
  if (g_free >= 0) {
    idx = g_free;
    g_free = g_slots[idx].nextFree;
  } else {
    if (g_slots.size() >= (size_t{1} << kSlotBits)) throw std::runtime_error("more than 16,777,216 live tensors");
    idx = static_cast<int64_t>(g_slots.size());
    g_slots.emplace_back();
  }
  Slot& s = g_slots[idx];
  s.t = std::move(t);
  s.used = true;
  ++g_live;
  return Napi::BigInt::New(env, (s.gen << kSlotBits) | static_cast<uint64_t>(idx));
}

at::Tensor& TensorOf(const Napi::Value& v, size_t i) {
  bool stale;
  Slot* s = Decode(v, i, &stale);
  if (stale) throw DisposedError(At(i) + "a disposed tensor");
  return s->t;
}

void Repoint(const Napi::Value& v, size_t i, at::Tensor t) { TensorOf(v, i) = std::move(t); }

bool Release(const Napi::Value& v, size_t i) {
  bool stale;
  Slot* s = Decode(v, i, &stale);
  if (stale) return false;
  s->t = at::Tensor();
  s->used = false;
  s->gen = s->gen == kMaxGeneration ? 0 : s->gen + 1;
  s->nextFree = g_free;
  g_free = s - g_slots.data();
  --g_live;
  return true;
}

bool IsReleased(const Napi::Value& v, size_t i) {
  bool stale;
  Decode(v, i, &stale);
  return stale;
}

int64_t LiveHandleCount() { return g_live; }

int64_t LiveStorageBytes() {
  // Views share storage: count each storage once.
  std::unordered_set<const void*> seen;
  int64_t total = 0;
  for (const Slot& s : g_slots) {
    if (!s.used || !s.t.defined() || !s.t.has_storage()) continue;
    const c10::StorageImpl* st = s.t.storage().unsafeGetStorageImpl();
    if (seen.insert(st).second) total += static_cast<int64_t>(st->nbytes());
  }
  return total;
}

Napi::Value WrapOrUndefined(Napi::Env env, const at::Tensor& t) {
  return t.defined() ? Wrap(env, t) : env.Undefined();
}

Napi::Array WrapList(Napi::Env env, const std::vector<at::Tensor>& ts) {
  auto arr = Napi::Array::New(env, ts.size());
  for (uint32_t i = 0; i < ts.size(); ++i) arr.Set(i, Wrap(env, ts[i]));
  return arr;
}

Napi::Array WrapPair(Napi::Env env, at::Tensor a, at::Tensor b) {
  auto arr = Napi::Array::New(env, 2);
  arr.Set(0u, Wrap(env, std::move(a)));
  arr.Set(1u, Wrap(env, std::move(b)));
  return arr;
}

at::Generator* GeneratorOf(const Napi::Value& v, size_t i) {
  if (!v.IsExternal() || !v.As<Napi::External<at::Generator>>().CheckTypeTag(&kGeneratorTag)) {
    throw ArgError(At(i) + "expected a generator handle");
  }
  return v.As<Napi::External<at::Generator>>().Data();
}

Napi::Value WrapGenerator(Napi::Env env, at::Generator g) {
  auto ext = Napi::External<at::Generator>::New(env, new at::Generator(std::move(g)),
                                                 [](Napi::Env, at::Generator* p) { delete p; });
  ext.TypeTag(&kGeneratorTag);
  return ext;
}

c10::optional<at::Tensor> OptT(const Napi::CallbackInfo& info, size_t i) {
  if (IsNil(info[i])) return c10::nullopt;
  return T(info, i);
}

double D(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) throw ArgError(At(i) + "expected a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

int64_t I(const Napi::CallbackInfo& info, size_t i) {
  double d = D(info, i);
  if (!std::isfinite(d) || std::trunc(d) != d) throw ArgError(At(i) + "expected an integer, got " + std::to_string(d));
  return static_cast<int64_t>(d);
}

bool B(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsBoolean()) throw ArgError(At(i) + "expected a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

at::Scalar S(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsBoolean()) return at::Scalar(info[i].As<Napi::Boolean>().Value());
  double d = D(info, i);
  // Integral values stay integral so that integer tensors keep their dtype in mixed ops.
  if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.007199254740992e15) {
    return at::Scalar(static_cast<int64_t>(d));
  }
  return at::Scalar(d);
}

std::vector<int64_t> IL(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsArray()) throw ArgError(At(i) + "expected an array of integers");
  auto arr = info[i].As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t k = 0; k < out.size(); ++k) {
    Napi::Value v = arr.Get(k);
    if (!v.IsNumber()) throw ArgError(At(i) + "element " + std::to_string(k) + " is not a number");
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::trunc(d) != d) throw ArgError(At(i) + "element " + std::to_string(k) + " is not an integer");
    out[k] = static_cast<int64_t>(d);
  }
  return out;
}

c10::optional<std::vector<int64_t>> OptIL(const Napi::CallbackInfo& info, size_t i) {
  if (IsNil(info[i])) return c10::nullopt;
  return IL(info, i);
}

std::vector<at::Tensor> TL(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsArray()) throw ArgError(At(i) + "expected an array of tensors");
  auto arr = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) out.push_back(TensorOf(arr.Get(k), i));
  return out;
}

at::ScalarType DT(const Napi::CallbackInfo& info, size_t i) {
  int64_t code = I(info, i);
  switch (code) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 11: case 15:
      return static_cast<at::ScalarType>(code);
    default:
      throw ArgError(At(i) + "unsupported dtype code " + std::to_string(code));
  }
}

c10::optional<at::ScalarType> OptDT(const Napi::CallbackInfo& info, size_t i) {
  if (IsNil(info[i])) return c10::nullopt;
  return DT(info, i);
}

std::string Str(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsString()) throw ArgError(At(i) + "expected a string");
  return info[i].As<Napi::String>().Utf8Value();
}

at::Device Dev(const Napi::CallbackInfo& info, size_t i) {
  if (IsNil(info[i])) return at::Device(at::kCPU);
  return at::Device(Str(info, i));  // c10::Error on a malformed name, reported by the guard
}

c10::optional<at::Generator> OptGen(const Napi::CallbackInfo& info, size_t i) {
  if (IsNil(info[i])) return c10::nullopt;
  return *GeneratorOf(info[i], i);
}

// ---- module-level functions -------------------------------------------------------------------------------

LC_OP(setErrorFactory) {
  auto* data = info.Env().GetInstanceData<AddonData>();
  if (!info[0].IsFunction()) throw ArgError(At(0) + "expected a function");
  data->errorFactory = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

LC_OP(liveHandles) { return Napi::Number::New(info.Env(), static_cast<double>(LiveHandleCount())); }

LC_OP(liveBytes) { return Napi::Number::New(info.Env(), static_cast<double>(LiveStorageBytes())); }

LC_OP(dispose) {
  Release(info[0], 0);
  return info.Env().Undefined();
}

LC_OP(isDisposed) { return Napi::Boolean::New(info.Env(), IsReleased(info[0], 0)); }

}  // namespace lc

namespace lc {
void ConfigureHostAllocator();  // host_allocator.cc
}  // namespace lc

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  lc::ConfigureHostAllocator();
  env.SetInstanceData(new lc::AddonData());
  for (const auto& e : lc::Registry()) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
  return exports;
}

NODE_API_MODULE(laclip_native, Init)
