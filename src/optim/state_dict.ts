/**
 * Optimizer state dicts in PyTorch's layout, and their checked restore. Group options are camelCase on the
 * groups and snake_case in the dict (`weightDecay` ↔ `weight_decay`), as torch.optim names them.
 */
import type { HostTensor } from "../io/host_tensor.js";
import { fromHost, keep, noGrad, Tensor, isFloating } from "../engine/index.js";
import { OptimizerStateError } from "./errors/optimizer_state_error.js";

export interface OptimizerStateDict {
  /** Per parameter index: tensors (`exp_avg`, `momentum_buffer`, ...) and numbers (`step`). */
  state: Map<number, Record<string, Tensor | number>>;
  /** Options by PyTorch name plus `params`, the indices of the group's parameters. */
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

/** A state dict to load: tensors may also be host tensors (as read back from a safetensors file). */
export interface OptimizerStateSource {
  state: ReadonlyMap<number, Readonly<Record<string, Tensor | HostTensor | number>>>;
  param_groups: readonly (Readonly<Record<string, unknown>> & { params: readonly number[] })[];
}

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

type Groups = readonly { params: Tensor[] }[];

export function buildStateDict(groups: Groups, state: ReadonlyMap<Tensor, Map<string, Tensor | number>>): OptimizerStateDict {
  const out: OptimizerStateDict = { state: new Map(), param_groups: [] };
  let index = 0;
  for (const g of groups) {
    const entry: Record<string, unknown> & { params: number[] } = { params: [] };
    for (const [k, v] of Object.entries(g)) if (k !== "params") entry[snake(k)] = Array.isArray(v) ? [...v] : v;
    for (const p of g.params) {
      const st = state.get(p);
      if (st !== undefined && st.size > 0) out.state.set(index, Object.fromEntries(st));
      entry.params.push(index++);
    }
    out.param_groups.push(entry);
  }
  return out;
}

function check(groups: Groups, sd: OptimizerStateSource): string[] {
  const problems: string[] = [];
  if (sd.param_groups.length !== groups.length) {
    return [`the state has ${sd.param_groups.length} parameter group(s), this optimizer ${groups.length}`];
  }
  const params = groups.flatMap((g) => g.params);
  let index = 0;
  sd.param_groups.forEach((sg, gi) => {
    const n = groups[gi]!.params.length;
    if (sg.params.length !== n) problems.push(`group ${gi} has ${sg.params.length} parameter(s) in the state, ${n} here`);
    else if (sg.params.some((v, i) => v !== index + i)) problems.push(`group ${gi} lists parameter indices [${sg.params.join(", ")}], expected ${index}..${index + n - 1}`);
    index += n;
  });
  for (const [i, st] of sd.state) {
    const p = params[i];
    if (p === undefined) {
      problems.push(`state for parameter ${i}, but this optimizer has ${params.length} parameter(s)`);
      continue;
    }
    for (const [name, v] of Object.entries(st)) {
      if (typeof v === "number" || name === "step") continue;
      if (typeof v !== "object" || v === null || !("shape" in v)) problems.push(`state.${i}.${name} is neither a tensor nor a number`);
      else if (!sameShape(v.shape, p.shape)) problems.push(`state.${i}.${name} has shape [${v.shape.join(", ")}], its parameter [${p.shape.join(", ")}]`);
    }
  }
  return problems;
}

/** Replaces `state` and the groups' options with copies from `sd` after checking it fits (see Optimizer.loadStateDict). */
export function restoreState(groups: readonly ({ params: Tensor[] } & Record<string, unknown>)[], state: Map<Tensor, Map<string, Tensor | number>>, sd: OptimizerStateSource): void {
  const problems = check(groups, sd);
  if (problems.length > 0) throw new OptimizerStateError(problems);
  const params = groups.flatMap((g) => g.params);
  const fresh = new Map<Tensor, Map<string, Tensor | number>>();
  noGrad(() => {
    for (const [i, st] of sd.state) {
      const p = params[i]!;
      const m = new Map<string, Tensor | number>();
      for (const [name, v] of Object.entries(st)) m.set(name, typeof v === "number" ? v : name === "step" ? stepCount(v) : copyFor(v, p));
      fresh.set(p, m);
    }
  });
  for (const st of state.values()) for (const v of st.values()) if (typeof v !== "number") v.dispose();
  state.clear();
  for (const [p, m] of fresh) state.set(p, m);
  sd.param_groups.forEach((sg, gi) => {
    for (const [k, v] of Object.entries(sg)) if (k !== "params") groups[gi]![camel(k)] = Array.isArray(v) ? [...v] : v;
  });
}

/** A private copy of a saved state tensor on the parameter's device, floating state in the parameter's dtype. */
function copyFor(v: Tensor | HostTensor, p: Tensor): Tensor {
  const dtype = isFloating(v.dtype) ? p.dtype : undefined;
  if (v instanceof Tensor) return keep(v.to({ dtype, device: p.device, copy: true }));
  const t = fromHost(v, { device: p.device });
  if (dtype === undefined || dtype === t.dtype) return keep(t);
  const c = t.to({ dtype });
  t.dispose();
  return keep(c);
}

/** PyTorch keeps `step` as a one-element tensor; here it is a number. */
function stepCount(v: Tensor | HostTensor): number {
  const t = v instanceof Tensor ? v : fromHost(v);
  const n = t.item();
  if (t !== v) t.dispose();
  return n;
}
