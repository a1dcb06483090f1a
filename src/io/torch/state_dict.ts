/**
 * Finds a model's flat state_dict inside a checkpoint's value tree. Training scripts (SLIP, LaCLIP,
 * open_clip) save `{"state_dict": ..., "epoch": ..., "args": ...}`, and DistributedDataParallel prefixes
 * every key with `module.`; `stripPrefix` removes it.
 */
import { FormatError } from "../../errors/index.js";
import type { HostTensor } from "../host_tensor.js";
import { PyDict, pyTypeName, type PyValue } from "../pickle/py_value.js";
import { TorchTensor } from "./torch_tensor.js";

export interface StateDictOptions {
  /** The top-level key holding the state_dict. Default: `state_dict` when present, else the root itself. */
  key?: string;
  /** Removed from the start of every key that has it (e.g. "module."). A resulting clash is an error. */
  stripPrefix?: string;
}

export function extractStateDict(root: PyValue, options: StateDictOptions, file: string): Map<string, TorchTensor> {
  if (!(root instanceof PyDict)) throw new FormatError(`the checkpoint holds a ${pyTypeName(root)}, not a dict`, { file });
  let dict: PyValue = root;
  let where = "the checkpoint";
  const key = options.key ?? (root.has("state_dict") ? "state_dict" : undefined);
  if (key !== undefined) {
    if (!root.has(key)) {
      const keys = [...root.keys()].map(String).join(", ");
      throw new FormatError(`has no top-level key '${key}' (keys: ${keys})`, { file, key });
    }
    dict = root.get(key) as PyValue;
    where = `'${key}'`;
  }
  if (!(dict instanceof PyDict)) throw new FormatError(`${where} is a ${pyTypeName(dict)}, not a dict of tensors`, { file, key });
  const out = new Map<string, TorchTensor>();
  const prefix = options.stripPrefix;
  for (const [k, v] of dict) {
    if (typeof k !== "string") throw new FormatError(`${where} has a ${pyTypeName(k)} key; state_dict keys are names`, { file });
    if (!(v instanceof TorchTensor)) {
      throw new FormatError(`${where} entry is a ${pyTypeName(v)}, not a tensor`, { file, key: k });
    }
    const name = prefix !== undefined && k.startsWith(prefix) ? k.slice(prefix.length) : k;
    if (out.has(name)) throw new FormatError(`stripping '${prefix}' makes two entries named '${name}'`, { file, key: k });
    out.set(name, v);
  }
  return out;
}

/** Reads every tensor of a state_dict into host memory, one at a time. */
export async function readTensors(tensors: ReadonlyMap<string, TorchTensor>): Promise<Map<string, HostTensor>> {
  const out = new Map<string, HostTensor>();
  for (const [k, t] of tensors) out.set(k, await t.read());
  return out;
}
