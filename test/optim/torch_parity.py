"""Dev-only check (not a test; CI never runs it): our AdamW, SGD and layer initialisations against PyTorch's.

Needs a Python with torch. Runs the same f32 problem in torch and in laclip (through `node --import tsx`) and
prints the largest absolute difference of the parameters after each optimizer run.

    /usr/bin/python3 test/optim/torch_parity.py
"""
import json
import math
import os
import subprocess

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STEPS = 20
INIT = [[0.5, -1.5, 2.0, 0.25, 1.0, -0.75], [1.0, 2.0, 3.0], [-0.3, 0.7]]


def grad_values(pid, step, n):
    return [math.sin(1 + step * 7.3 + i * 1.1 + pid * 3) * (1 + (i % 3)) for i in range(n)]


def run_torch(kind):
    ps = [torch.tensor(v, dtype=torch.float32, requires_grad=True) for v in INIT]
    norms = []
    if kind == "adamw":
        opt = torch.optim.AdamW([{"params": ps[:2], "weight_decay": 0.1},
                                 {"params": ps[2:], "lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.0, "amsgrad": True}],
                                lr=0.01, eps=1e-6)
    else:
        opt = torch.optim.SGD([{"params": ps[:2], "weight_decay": 0.01},
                               {"params": ps[2:], "lr": 0.02, "nesterov": True, "dampening": 0.0}],
                              lr=0.05, momentum=0.9)
    for step in range(1, STEPS + 1):
        for i, p in enumerate(ps):
            if i == 1 and step % 2 == 1:
                continue
            p.grad = torch.tensor(grad_values(i, step, p.numel()), dtype=torch.float32)
        norms.append(torch.nn.utils.clip_grad_norm_(ps, 2.0).item())
        opt.step()
        opt.zero_grad(set_to_none=True)
    return [p.detach().tolist() for p in ps], norms


def torch_mha():
    torch.manual_seed(1)
    mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    x = torch.tensor(grad_values(5, 1, 2 * 5 * 8), dtype=torch.float32).view(2, 5, 8)
    mask = torch.full((5, 5), float("-inf")).triu(1)
    kpm = torch.tensor([[False] * 5, [False, False, False, True, True]])
    with torch.no_grad():
        return mha(x, x, x, attn_mask=mask, key_padding_mask=kpm, need_weights=False)[0].flatten().tolist()


def torch_inits():
    torch.manual_seed(0)
    lin = torch.nn.Linear(5, 3)
    torch.manual_seed(1)
    mha = torch.nn.MultiheadAttention(8, 2)
    torch.manual_seed(2)
    conv = torch.nn.Conv2d(3, 4, 2)
    torch.manual_seed(3)
    emb = torch.nn.Embedding(6, 4)
    out = {}
    for prefix, m in (("lin", lin), ("mha", mha), ("conv", conv), ("emb", emb)):
        for k, v in m.state_dict().items():
            out[f"{prefix}.{k}"] = v.flatten().tolist()
    return out


JS = r"""
import { tensor, manualSeed } from "./src/engine/index.js";
import { AdamW, SGD, clipGradNorm } from "./src/optim/index.js";
import { Linear, MultiheadAttention, Conv2d, Embedding } from "./src/nn/index.js";
const INIT = %s, STEPS = %d;
const gradValues = (id, step, n) => Array.from({ length: n }, (_, i) => Math.sin(1 + step * 7.3 + i * 1.1 + id * 3) * (1 + (i %% 3)));
function run(kind) {
  const ps = INIT.map((v) => tensor(v, { dtype: "f32", requiresGrad: true }));
  const norms = [];
  const opt = kind === "adamw"
    ? new AdamW([{ params: ps.slice(0, 2), weightDecay: 0.1 }, { params: ps.slice(2), lr: 0.05, betas: [0.8, 0.99], weightDecay: 0, amsgrad: true }], { lr: 0.01, eps: 1e-6 })
    : new SGD([{ params: ps.slice(0, 2), weightDecay: 0.01 }, { params: ps.slice(2), lr: 0.02, nesterov: true, dampening: 0 }], { lr: 0.05, momentum: 0.9 });
  for (let step = 1; step <= STEPS; step++) {
    ps.forEach((p, i) => {
      if (i === 1 && step %% 2 === 1) return;
      const g = tensor(gradValues(i, step, p.numel), { dtype: "f32" });
      p.grad = g;
      g.dispose();
    });
    norms.push(clipGradNorm(ps, 2.0));
    opt.step();
    opt.zeroGrad();
  }
  return [ps.map((p) => p.toArray()), norms];
}
const inits = {};
const add = (prefix, m) => { for (const [k, t] of m.stateDict()) inits[prefix + "." + k] = Array.from(t.toTypedArray()); };
manualSeed(0); add("lin", new Linear(5, 3));
manualSeed(1); add("mha", new MultiheadAttention(8, 2));
manualSeed(2); add("conv", new Conv2d(3, 4, 2));
manualSeed(3); add("emb", new Embedding(6, 4));
manualSeed(1);
const mha = new MultiheadAttention(8, 2, { batchFirst: true });
const x = tensor(gradValues(5, 1, 80), { shape: [2, 5, 8] });
const mask = tensor(Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => (j > i ? -Infinity : 0))));
const kpm = tensor([[false, false, false, false, false], [false, false, false, true, true]]);
const attn = Array.from(mha.forward(x, x, x, { attnMask: mask, keyPaddingMask: kpm }).toTypedArray());
console.log(JSON.stringify({ adamw: run("adamw"), sgd: run("sgd"), inits, attn }));
"""


def max_diff(a, b):
    if isinstance(a, list):
        return max((max_diff(x, y) for x, y in zip(a, b)), default=0.0)
    return abs(a - b)


def main():
    src = JS % (json.dumps(INIT), STEPS)
    out = subprocess.run(["node", "--import", "tsx", "--input-type=module", "-e", src],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    ours = json.loads(out.strip().splitlines()[-1])
    for kind in ("adamw", "sgd"):
        params, norms = run_torch(kind)
        print(f"{kind} + clip_grad_norm_(2.0): max |laclip - torch {torch.__version__}| after {STEPS} f32 steps: "
              f"parameters {max_diff(ours[kind][0], params):.3g}, returned norms {max_diff(ours[kind][1], norms):.3g}")
    print(f"MultiheadAttention forward (batch_first, causal float mask + bool key padding): max diff = {max_diff(ours['attn'], torch_mha()):.3g}")
    theirs = torch_inits()
    assert list(theirs) == list(ours["inits"]), (list(theirs), list(ours["inits"]))
    print(f"init (Linear, MultiheadAttention, Conv2d, Embedding; same seeds): max diff = {max_diff(list(ours['inits'].values()), list(theirs.values())):.3g}")


if __name__ == "__main__":
    main()
