/** Loading a state dict into a module's tensors: check every key first, then copy in place without autograd. */
import type { HostTensor } from "../io/host_tensor.js";
import { fromHost, noGrad, Tensor, tidy } from "../engine/index.js";
import { StateDictError, type MismatchedKey } from "./errors/state_dict_error.js";

/** Tensors by PyTorch key: engine tensors, host tensors (as file readers return them), or a mix. */
export type StateDictSource = ReadonlyMap<string, Tensor | HostTensor> | Readonly<Record<string, Tensor | HostTensor>>;

export interface LoadStateDictOptions {
  /** Missing and unexpected keys are errors (default true). Mis-shaped keys are errors either way. */
  strict?: boolean;
}

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const isHost = (v: unknown): v is HostTensor =>
  typeof v === "object" && v !== null && !(v instanceof Tensor) && "dtype" in v && "shape" in v && "data" in v;

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

/** Copies `source` into `target` (a module's stateDict()); see Module.loadStateDict. */
export function loadInto(target: ReadonlyMap<string, Tensor>, source: StateDictSource, options: LoadStateDictOptions): LoadResult {
  const entries = new Map<string, Tensor | HostTensor>(source instanceof Map ? source : Object.entries(source));
  const missingKeys = [...target.keys()].filter((k) => !entries.has(k));
  const unexpectedKeys = [...entries.keys()].filter((k) => !target.has(k));
  const mismatchedKeys: MismatchedKey[] = [];
  for (const [key, dst] of target) {
    const src = entries.get(key);
    if (src === undefined) continue;
    if (!(src instanceof Tensor) && !isHost(src)) {
      throw new StateDictError("loadStateDict", { missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] },
        `The value under '${key}' is neither a Tensor nor a HostTensor; pass tensors only`);
    }
    if (!sameShape(dst.shape, src.shape)) mismatchedKeys.push({ key, expected: [...dst.shape], got: [...src.shape] });
  }
  const strict = options.strict ?? true;
  if (mismatchedKeys.length > 0 || (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0))) {
    const hint = mismatchedKeys.length > 0
      ? "Nothing was loaded. Check that the checkpoint was made for a model with this configuration (widths, layers, context length)"
      : "Nothing was loaded. Check the checkpoint matches this model (a 'module.' prefix from DDP can be stripped when reading), or pass { strict: false } to load the keys that match";
    throw new StateDictError("loadStateDict", { missingKeys, unexpectedKeys, mismatchedKeys }, hint);
  }
  noGrad(() => {
    for (const [key, dst] of target) {
      const src = entries.get(key);
      if (src === undefined) continue;
      tidy(() => {
        dst.copy_(src instanceof Tensor ? src : fromHost(src, { device: dst.device }));
      });
    }
  });
  return { missingKeys, unexpectedKeys };
}
