/**
 * Optimizer state as a flat tensor map plus JSON, for a safetensors file beside a JSON file: tensors under
 * `state.<index>.<name>`, numbers and param_groups in the JSON. The inverse rebuilds a loadable state dict.
 */
import type { HostTensor } from "../io/host_tensor.js";
import type { Tensor } from "../engine/index.js";
import { OptimizerStateError } from "./errors/optimizer_state_error.js";
import type { OptimizerStateDict, OptimizerStateSource } from "./state_dict.js";

export interface OptimizerStateJson {
  /** Non-tensor state (the step count) by parameter index. */
  state: Record<string, Record<string, number>>;
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

export function optimizerStateToFiles(sd: OptimizerStateDict): { tensors: Map<string, Tensor>; json: OptimizerStateJson } {
  const tensors = new Map<string, Tensor>();
  const json: OptimizerStateJson = { state: {}, param_groups: sd.param_groups.map((g) => ({ ...g, params: [...g.params] })) };
  for (const [i, st] of sd.state) {
    const numbers: Record<string, number> = {};
    for (const [name, v] of Object.entries(st)) {
      if (typeof v === "number") numbers[name] = v;
      else tensors.set(`state.${i}.${name}`, v);
    }
    json.state[String(i)] = numbers;
  }
  return { tensors, json };
}

export function optimizerStateFromFiles(tensors: ReadonlyMap<string, Tensor | HostTensor>, json: OptimizerStateJson): OptimizerStateSource {
  const problems: string[] = [];
  const state = new Map<number, Record<string, Tensor | HostTensor | number>>();
  const slot = (i: number): Record<string, Tensor | HostTensor | number> => {
    let s = state.get(i);
    if (s === undefined) state.set(i, (s = {}));
    return s;
  };
  for (const [key, t] of tensors) {
    const m = /^state\.(\d+)\.([A-Za-z0-9_]+)$/.exec(key);
    if (m === null) problems.push(`tensor '${key}' is not named state.<index>.<name>`);
    else slot(Number(m[1]))[m[2]!] = t;
  }
  if (typeof json !== "object" || json === null || !Array.isArray(json.param_groups) || typeof json.state !== "object") {
    problems.push("the JSON must hold 'state' (an object) and 'param_groups' (a list)");
  } else {
    for (const [i, numbers] of Object.entries(json.state)) {
      if (!/^\d+$/.test(i)) problems.push(`JSON state key '${i}' is not a parameter index`);
      else for (const [name, v] of Object.entries(numbers)) slot(Number(i))[name] = v;
    }
    json.param_groups.forEach((g, gi) => {
      if (!Array.isArray(g?.params) || !g.params.every(Number.isInteger)) problems.push(`param_groups[${gi}].params must be a list of integers`);
    });
  }
  if (problems.length > 0) throw new OptimizerStateError(problems);
  return { state, param_groups: json.param_groups };
}
