/**
 * The allow-list of Python globals a checkpoint may name. Each maps to a TypeScript function that builds a
 * `PyValue`; everything else (os.system, builtins.eval, torch.storage._load_from_bytes, ...) is refused with
 * a RefusedGlobalError at the opcode that names it, before anything could be called.
 */
import type { FileLocation } from "../../errors/index.js";
import { PyDict, PyGlobal, PyNamespace, PySlice, pyTypeName, type PyValue } from "../pickle/py_value.js";
import { RefusedGlobalError } from "./refused_global_error.js";
import { TENSOR_TYPES, rebuildFromTypeV2, rebuildParameter, rebuildTensor, rebuildTensorV2 } from "./rebuild.js";
import { STORAGE_DTYPES } from "./storage.js";
import { numpyDType, numpyScalar } from "./numpy_values.js";

type Call = (args: readonly PyValue[]) => PyValue;
interface Allowed {
  call?: Call;
  construct?: Call;
}

const ALLOWED = new Map<string, Allowed>([
  ["torch._utils._rebuild_tensor_v2", { call: rebuildTensorV2 }],
  ["torch._utils._rebuild_tensor", { call: rebuildTensor }],
  ["torch._utils._rebuild_parameter", { call: rebuildParameter }],
  ["torch._utils._rebuild_parameter_with_state", { call: rebuildParameter }],
  ["torch._tensor._rebuild_from_type_v2", { call: rebuildFromTypeV2 }],
  ["torch.Size", { call: (a) => Object.freeze(iterable(a, "torch.Size")) }],
  ["collections.OrderedDict", { call: orderedDict, construct: orderedDict }],
  ["argparse.Namespace", { call: namespace, construct: namespace }],
  ["_codecs.encode", { call: latin1Encode }],
  ["numpy.dtype", { call: numpyDType }],
  ["numpy.core.multiarray.scalar", { call: numpyScalar }],
  ["numpy._core.multiarray.scalar", { call: numpyScalar }],
]);
for (const builtins of ["builtins", "__builtin__"]) {
  ALLOWED.set(`${builtins}.set`, { call: (a) => new Set(iterable(a, "set")) });
  ALLOWED.set(`${builtins}.frozenset`, { call: (a) => new Set(iterable(a, "frozenset")) });
  ALLOWED.set(`${builtins}.slice`, { call: slice });
}
// Storage classes and tensor types are data (markers), never called.
for (const name of STORAGE_DTYPES.keys()) ALLOWED.set(`torch.${name}`, {});
for (const name of TENSOR_TYPES) ALLOWED.set(name, {});

export function findAllowedGlobal(module: string, name: string, at: FileLocation): PyGlobal {
  const qualified = `${module}.${name}`;
  const allowed = ALLOWED.get(qualified);
  if (allowed === undefined) {
    const reason = /^torch\.\w*Storage$/.test(qualified)
      ? "this storage type (complex, quantized or untyped) is not supported; save tensors of a real or integer dtype"
      : undefined;
    throw new RefusedGlobalError(qualified, at, reason);
  }
  return new PyGlobal(module, name, allowed.call, allowed.construct);
}

function orderedDict(args: readonly PyValue[]): PyDict {
  const d = new PyDict();
  if (args.length === 0) return d;
  for (const pair of iterable(args, "OrderedDict")) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new Error("OrderedDict items are not (key, value) pairs");
    d.set(pair[0], pair[1]);
  }
  return d;
}

function namespace(args: readonly PyValue[]): PyNamespace {
  if (args.length !== 0) throw new Error("argparse.Namespace takes no positional arguments");
  return new PyNamespace();
}

/** Protocol 2 pickles Python 3 bytes as `_codecs.encode(text, 'latin1')`: each char is one byte. */
function latin1Encode(args: readonly PyValue[]): Uint8Array {
  const [text, encoding] = args;
  if (args.length !== 2 || typeof text !== "string" || (encoding !== "latin1" && encoding !== "latin-1")) {
    throw new Error("_codecs.encode is allowed only as encode(str, 'latin1'), the way pickle stores bytes");
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new Error("_codecs.encode text has a character outside latin-1");
    out[i] = code;
  }
  return out;
}

function slice(args: readonly PyValue[]): PySlice {
  if (args.length < 1 || args.length > 3) throw new Error("slice takes 1 to 3 arguments");
  return args.length === 1 ? new PySlice(null, args[0], null) : new PySlice(args[0], args[1], args[2] ?? null);
}

function iterable(args: readonly PyValue[], fn: string): PyValue[] {
  if (args.length === 0) return [];
  const [items] = args;
  if (args.length !== 1 || !(Array.isArray(items) || items instanceof Set)) {
    throw new Error(`${fn} takes one list or tuple, got ${args.map(pyTypeName).join(", ")}`);
  }
  return [...items];
}

