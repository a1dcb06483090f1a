/**
 * THE data-parallel check: 2 processes over loopback, each holding half of every global batch, train a real
 * CLIP with the trainer's step function and end with the same losses and the same weights as 1 process
 * training on the whole global batch, within float32 tolerance, for plain CLIP with gradient clipping and for
 * laclip-mt with exact gradient accumulation. The ranks also agree with each other (rank 1 starts from other
 * weights; the broadcast at the start must replace them).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { setNumThreads } from "../../src/engine/index.js";
import { LocalContext } from "../../src/train/trainer/index.js";
import { worstDiff } from "./contrastive_case.js";
import { launch, readJson, tempDir } from "./run_workers.js";
import { SCENARIOS, runSteps, type StepsResult } from "./train_case.js";

const W = 2;

setNumThreads(1);

test("2 processes x half the batch train exactly like 1 process x the global batch (losses and weights)", async (t) => {
  const dir = await tempDir(t);
  const run = await launch("train_steps", W, { LACLIP_TEST_OUT: dir, LACLIP_NUM_THREADS: "1" });
  assert.equal(run.error, undefined, `launch failed: ${String(run.error)}\n${run.output}`);
  const ranks = await Promise.all([0, 1].map((r) => readJson<Record<string, StepsResult>>(join(dir, `rank${r}.json`))));
  for (const [name, s] of Object.entries(SCENARIOS)) {
    // The definition: one process, the whole global batch in one piece.
    const ref = await runSteps(s, new LocalContext(), { micro: 1 });
    // The same, its towers run on the ranks' micro-batch sizes: this isolates what is left (rounding in the
    // towers' smaller matrix products) from anything the communication could get wrong.
    const matched = await runSteps(s, new LocalContext(), { micro: W * s.micro });
    assert.ok(ref.losses.at(-1)! < ref.losses[0]! - 0.5, `${name}: the reference run should learn (${ref.losses.join(", ")})`);
    for (const [r, res] of ranks.entries()) {
      const got = res[name]!;
      assert.ok(worstDiff(got.losses, ref.losses, 1e-5) < 1e-5, `${name} rank ${r}: losses ${got.losses.join(", ")} vs ${ref.losses.join(", ")}`);
      assert.ok(worstDiff(got.logitScales, ref.logitScales, 1e-5) < 1e-5, `${name} rank ${r}: logit scales`);
      const w = worstDiff(got.weights, ref.weights, 1e-4);
      assert.ok(w < 5e-5, `${name} rank ${r}: weights differ from the 1-process run by ${w} (|a-b| - 1e-4 |b|)`);
      const m = worstDiff(got.weights, matched.weights, 0);
      assert.ok(m < 1e-5, `${name} rank ${r}: weights differ from the 1-process run with the same tower batch sizes by ${m}`);
    }
    assert.deepEqual(ranks[0]![name]!.weights, ranks[1]![name]!.weights, `${name}: the two ranks hold identical weights`);
  }
});
