/**
 * The torch functions a checkpoint calls to rebuild tensors, re-implemented as pure argument checks plus
 * construction of a lazy TorchTensor. Geometry is validated against the storage here, so a hostile or broken
 * size/stride can never make a later read run outside the storage, nor (stride 0, overlapping strides) expand a
 * small storage into a huge tensor: the bytes a read produces stay in proportion to the bytes in the file.
 */
import { DTYPE_SIZE } from "../host_tensor.js";
import { PyDict, PyGlobal, isTuple, pyTypeName, type PyValue } from "../pickle/py_value.js";
import { TorchStorage } from "./storage.js";
import { TorchTensor } from "./torch_tensor.js";

/** `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
export function rebuildTensorV2(args: readonly PyValue[]): TorchTensor {
  if (args.length < 6 || args.length > 7) throw new Error(`_rebuild_tensor_v2 takes 6 or 7 arguments, got ${args.length}`);
  if (typeof args[4] !== "boolean") throw new Error("_rebuild_tensor_v2 requires_grad is not a bool");
  noHooks(args[5], "_rebuild_tensor_v2");
  return makeTensor(args[0], args[1], args[2], args[3], args[4]);
}

/** `_rebuild_tensor(storage, storage_offset, size, stride)`, from older checkpoints. */
export function rebuildTensor(args: readonly PyValue[]): TorchTensor {
  if (args.length !== 4) throw new Error(`_rebuild_tensor takes 4 arguments, got ${args.length}`);
  return makeTensor(args[0], args[1], args[2], args[3], false);
}

/** `_rebuild_parameter(data, requires_grad, backward_hooks)` and `_rebuild_parameter_with_state(..., state)`. */
export function rebuildParameter(args: readonly PyValue[]): TorchTensor {
  if (args.length !== 3 && args.length !== 4) throw new Error(`_rebuild_parameter takes 3 or 4 arguments, got ${args.length}`);
  const [data, requiresGrad, hooks, state] = args;
  if (!(data instanceof TorchTensor)) throw new Error(`_rebuild_parameter data is a ${pyTypeName(data)}, not a tensor`);
  if (typeof requiresGrad !== "boolean") throw new Error("_rebuild_parameter requires_grad is not a bool");
  noHooks(hooks, "_rebuild_parameter");
  if (state !== undefined && !isEmpty(state)) throw new Error("parameters with extra Python state are not supported");
  return data.asParameter(requiresGrad);
}

/** `_rebuild_from_type_v2(func, new_type, args, state)`: a plain Tensor or Parameter rebuilt by an allowed func. */
export function rebuildFromTypeV2(args: readonly PyValue[]): PyValue {
  if (args.length !== 4) throw new Error(`_rebuild_from_type_v2 takes 4 arguments, got ${args.length}`);
  const [func, type, funcArgs, state] = args;
  if (!(func instanceof PyGlobal) || func.call === undefined || !isTuple(funcArgs)) {
    throw new Error("_rebuild_from_type_v2 needs an allowed function and an argument tuple");
  }
  if (!(type instanceof PyGlobal) || !TENSOR_TYPES.has(type.qualifiedName)) {
    throw new Error(`_rebuild_from_type_v2 of ${type instanceof PyGlobal ? type.qualifiedName : pyTypeName(type)} is not supported`);
  }
  if (!isEmpty(state)) throw new Error("tensors with extra Python state are not supported");
  const out = func.call(funcArgs);
  return out instanceof TorchTensor && type.name === "Parameter" ? out.asParameter(out.requiresGrad) : out;
}

export const TENSOR_TYPES = new Set(["torch.Tensor", "torch.nn.parameter.Parameter"]);

function makeTensor(storage: PyValue, offset: PyValue, size: PyValue, stride: PyValue, requiresGrad: boolean): TorchTensor {
  if (!(storage instanceof TorchStorage)) throw new Error(`tensor storage is a ${pyTypeName(storage)}, not a storage`);
  if (!isCount(offset)) throw new Error(`storage offset ${String(offset)} is not a non-negative integer`);
  const shape = counts(size, "size");
  const strides = counts(stride, "stride");
  if (shape.length !== strides.length) throw new Error(`size has ${shape.length} dims but stride has ${strides.length}`);
  const tensor = new TorchTensor(storage, offset, shape, strides, requiresGrad);
  if (!Number.isSafeInteger(tensor.spanLength) || offset + tensor.spanLength > storage.numel) {
    throw new Error(
      `tensor of size (${shape.join(", ")}) stride (${strides.join(", ")}) at offset ${offset} reaches past ` +
        `the ${storage.numel} elements of storage '${storage.key}'`,
    );
  }
  const elements = shape.reduce((a, b) => a * b, 1);
  const bytes = elements * DTYPE_SIZE[storage.dtype];
  if (elements > storage.numel && bytes > Math.max(storage.numel * DTYPE_SIZE[storage.dtype], MAX_EXPANSION_BYTES)) {
    throw new Error(
      `tensor of size (${shape.join(", ")}) stride (${strides.join(", ")}) repeats the ${storage.numel} elements of storage ` +
        `'${storage.key}' as ${elements} elements (${bytes} bytes); a checkpoint may not expand its storage like this: ` +
        "re-save the tensor with .contiguous() (or .clone()) in PyTorch",
    );
  }
  return tensor;
}

/** Views that repeat storage elements (stride 0) may produce up to this many bytes, or their storage's size. */
const MAX_EXPANSION_BYTES = 1 << 20;

function counts(v: PyValue, what: string): number[] {
  if (!Array.isArray(v) || !v.every(isCount)) throw new Error(`tensor ${what} is not a tuple of non-negative integers`);
  return [...(v as number[])];
}

function isCount(v: PyValue): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function isEmpty(v: PyValue): boolean {
  return v === null || (v instanceof PyDict && v.size === 0) || (isTuple(v) && v.every(isEmpty));
}

function noHooks(v: PyValue, fn: string): void {
  if (!isEmpty(v)) throw new Error(`${fn} with backward hooks is not supported`);
}
