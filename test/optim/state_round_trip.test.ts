import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { liveTensors, randn, manualSeed, noGrad, type Tensor } from "../../src/engine/index.js";
import { readSafetensors, writeSafetensors } from "../../src/io/index.js";
import { AdamW, SGD, OptimizerStateError, optimizerStateFromFiles, optimizerStateToFiles, type OptimizerStateJson } from "../../src/optim/index.js";
import { setGrad } from "./reference.js";

const bytes = (t: Tensor): Buffer => Buffer.from(t.toHost().data);

type AnyOptimizer = AdamW | SGD;

async function saveAndRestore(opt: AnyOptimizer, fresh: AnyOptimizer): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-optim-"));
  try {
    const { tensors, json } = optimizerStateToFiles(opt.stateDict());
    await writeSafetensors(join(dir, "optim.safetensors"), new Map([...tensors].map(([k, t]) => [k, t.toHost()])));
    await writeFile(join(dir, "optim.json"), JSON.stringify(json));
    const back = await readSafetensors(join(dir, "optim.safetensors"));
    const meta = JSON.parse(await readFile(join(dir, "optim.json"), "utf8")) as OptimizerStateJson;
    fresh.loadStateDict(optimizerStateFromFiles(back.tensors, meta));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const kind of ["AdamW", "SGD"] as const) {
  test(`${kind} state saved to safetensors + JSON and loaded into a new optimizer gives a bit-identical next step`, async () => {
    manualSeed(5);
    const make = (ps: Tensor[]): AnyOptimizer => (kind === "AdamW"
      ? new AdamW([{ params: [ps[0]!] }, { params: [ps[1]!, ps[2]!], lr: 0.03, weightDecay: 0 }], { lr: 0.01, amsgrad: true })
      : new SGD([{ params: [ps[0]!] }, { params: [ps[1]!, ps[2]!], lr: 0.03 }], { lr: 0.01, momentum: 0.9, nesterov: true }));
    const a = [randn([3, 4], { requiresGrad: true }), randn([4], { requiresGrad: true }), randn([2, 2], { requiresGrad: true })];
    const optA = make(a);
    for (let s = 1; s <= 3; s++) {
      a.forEach((p, i) => setGrad(p, i, s));
      optA.step();
    }
    // A second model with the same values, and an optimizer over it that has never stepped.
    const b = noGrad(() => a.map((p) => p.clone().requiresGrad_(true)));
    const optB = make(b);
    if (kind === "SGD") optB.paramGroups[1]!.lr = 99; // group options come back from the saved state too
    await saveAndRestore(optA, optB);
    assert.equal(optB.paramGroups[1]!.lr, 0.03);
    optA.zeroGrad();
    const live = liveTensors();
    a.forEach((p, i) => setGrad(p, i, 4));
    b.forEach((p, i) => setGrad(p, i, 4));
    optA.step();
    optB.step();
    optA.zeroGrad();
    optB.zeroGrad();
    a.forEach((p, i) => assert.ok(bytes(p).equals(bytes(b[i]!)), `parameter ${i} differs after the restored step`));
    assert.equal(liveTensors(), live, "a step allocates nothing that stays");
    if (kind === "AdamW") assert.equal(optB.stateOf(b[0]!).get("step"), 4);
    for (const o of [optA, optB]) o.dispose();
    for (const p of [...a, ...b]) p.dispose();
  });
}

test("loading state that does not fit lists every problem and changes nothing", () => {
  const p = randn([2, 3], { requiresGrad: true });
  const q = randn([5], { requiresGrad: true });
  const opt = new AdamW([p, q]);
  setGrad(p, 0, 1);
  setGrad(q, 1, 1);
  opt.step();
  const other = randn([3, 2], { requiresGrad: true });
  const wrong = new AdamW([other, q]);
  const sd = opt.stateDict();
  let caught: unknown;
  try {
    wrong.loadStateDict(sd);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof OptimizerStateError);
  assert.match(caught.message, /state\.0\.exp_avg has shape \[2, 3\], its parameter \[3, 2\]/);
  assert.match(caught.message, /state\.0\.exp_avg_sq has shape/);
  assert.equal(wrong.stateOf(other).size, 0, "nothing loaded");
  const twoGroups = new AdamW([{ params: [other] }, { params: [q] }]);
  assert.throws(() => twoGroups.loadStateDict(sd), /the state has 1 parameter group\(s\), this optimizer 2/);
  assert.throws(() => optimizerStateFromFiles(new Map([["exp_avg", p]]), { state: {}, param_groups: [] }), /'exp_avg' is not named state\.<index>\.<name>/);
  for (const o of [opt, wrong, twoGroups]) o.dispose();
  for (const t of [p, q, other]) t.dispose();
});
