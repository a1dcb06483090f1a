// Views and shape ops, indexing, joining and splitting.
#include "common.h"

namespace lc {

#define LC_RET(expr) return Wrap(info.Env(), (expr))

LC_OP(reshape) { LC_RET(T(info, 0).reshape(IL(info, 1))); }
LC_OP(view) { LC_RET(T(info, 0).view(IL(info, 1))); }
LC_OP(permute) { LC_RET(T(info, 0).permute(IL(info, 1))); }
LC_OP(transpose) { LC_RET(T(info, 0).transpose(I(info, 1), I(info, 2))); }
LC_OP(flatten) { LC_RET(T(info, 0).flatten(I(info, 1), I(info, 2))); }
LC_OP(squeeze) { LC_RET(IsNil(info[1]) ? T(info, 0).squeeze() : T(info, 0).squeeze(I(info, 1))); }
LC_OP(unsqueeze) { LC_RET(T(info, 0).unsqueeze(I(info, 1))); }
LC_OP(narrow) { LC_RET(T(info, 0).narrow(I(info, 1), I(info, 2), I(info, 3))); }
// (h, dim, start?, end?, step)
LC_OP(slice) {
  c10::optional<int64_t> start = IsNil(info[2]) ? c10::nullopt : c10::optional<int64_t>(I(info, 2));
  c10::optional<int64_t> end = IsNil(info[3]) ? c10::nullopt : c10::optional<int64_t>(I(info, 3));
  LC_RET(T(info, 0).slice(I(info, 1), start, end, I(info, 4)));
}
LC_OP(select) { LC_RET(T(info, 0).select(I(info, 1), I(info, 2))); }
LC_OP(expand) { LC_RET(T(info, 0).expand(IL(info, 1))); }
LC_OP(repeat) { LC_RET(T(info, 0).repeat(IL(info, 1))); }
LC_OP(flip) { LC_RET(T(info, 0).flip(IL(info, 1))); }
LC_OP(roll) { LC_RET(T(info, 0).roll(IL(info, 1), IL(info, 2))); }
LC_OP(triu) { LC_RET(T(info, 0).triu(I(info, 1))); }
LC_OP(tril) { LC_RET(T(info, 0).tril(I(info, 1))); }

LC_OP(indexSelect) { LC_RET(T(info, 0).index_select(I(info, 1), T(info, 2))); }
LC_OP(gather) { LC_RET(T(info, 0).gather(I(info, 1), T(info, 2))); }
// (h, dim, index, src: handle | number)
LC_OP(scatter) {
  if (info[3].IsNumber()) LC_RET(T(info, 0).scatter(I(info, 1), T(info, 2), S(info, 3)));
  LC_RET(T(info, 0).scatter(I(info, 1), T(info, 2), T(info, 3)));
}
LC_OP(scatterAdd) { LC_RET(T(info, 0).scatter_add(I(info, 1), T(info, 2), T(info, 3))); }

// (h, indices: (handle | null)[]) -> advanced indexing: x[i0, i1, ...]; null keeps a dimension whole.
static c10::List<c10::optional<at::Tensor>> IndexList(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsArray()) throw ArgError("argument " + std::to_string(i) + ": expected an array of indices");
  auto arr = info[i].As<Napi::Array>();
  c10::List<c10::optional<at::Tensor>> out;
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value v = arr.Get(k);
    if (IsNil(v)) {
      out.push_back(c10::nullopt);
      continue;
    }
    out.push_back(TensorOf(v, i));
  }
  return out;
}

LC_OP(index) { LC_RET(T(info, 0).index(IndexList(info, 1))); }

// (h, indices, values, accumulate) in place.
LC_OP(indexPut_) {
  T(info, 0).index_put_(IndexList(info, 1), T(info, 2), B(info, 3));
  return info.Env().Undefined();
}

LC_OP(cat) { LC_RET(at::cat(TL(info, 0), I(info, 1))); }
LC_OP(stack) { LC_RET(at::stack(TL(info, 0), I(info, 1))); }
LC_OP(chunk) { return WrapList(info.Env(), T(info, 0).chunk(I(info, 1), I(info, 2))); }
// (h, size | sizes[], dim)
LC_OP(split) {
  if (info[1].IsArray()) return WrapList(info.Env(), T(info, 0).split_with_sizes(IL(info, 1), I(info, 2)));
  return WrapList(info.Env(), T(info, 0).split(I(info, 1), I(info, 2)));
}
LC_OP(unbind) { return WrapList(info.Env(), T(info, 0).unbind(I(info, 1))); }

// (h, mask, value: number | handle)
LC_OP(maskedFill) {
  if (info[2].IsNumber() || info[2].IsBoolean()) LC_RET(T(info, 0).masked_fill(T(info, 1), S(info, 2)));
  LC_RET(T(info, 0).masked_fill(T(info, 1), T(info, 2)));
}
LC_OP(maskedFill_) {
  if (info[2].IsNumber() || info[2].IsBoolean()) T(info, 0).masked_fill_(T(info, 1), S(info, 2));
  else T(info, 0).masked_fill_(T(info, 1), T(info, 2));
  return info.Env().Undefined();
}

// (cond, a: handle | number, b: handle | number)
LC_OP(where) {
  const at::Tensor& c = T(info, 0);
  bool an = info[1].IsNumber(), bn = info[2].IsNumber();
  if (an && bn) LC_RET(at::where(c, S(info, 1), S(info, 2)));
  if (an) LC_RET(at::where(c, S(info, 1), T(info, 2)));
  if (bn) LC_RET(at::where(c, T(info, 1), S(info, 2)));
  LC_RET(at::where(c, T(info, 1), T(info, 2)));
}

}  // namespace lc
