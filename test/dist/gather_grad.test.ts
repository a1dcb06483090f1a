/**
 * The all-gather with gradient gives each rank the gradient of the GLOBAL contrastive loss: 2 processes each
 * holding half the batch end with the same loss and (after averaging) the same parameter gradients as one
 * process holding all of it, and each rank's feature rows receive world x their share (which the trainer's
 * averaging divides back out). A plain all-gather does not: the same check fails for it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { B, contrastiveCase, worstDiff, type CaseResult } from "./contrastive_case.js";
import { launch, readJson, tempDir } from "./run_workers.js";

const W = 2;

test("gather with gradient: 2 ranks x half the batch = 1 process x the whole batch; a plain gather is not", async (t) => {
  const dir = await tempDir(t);
  const run = await launch("gather_grad", W, { LACLIP_TEST_OUT: dir });
  assert.equal(run.error, undefined, `launch failed: ${String(run.error)}\n${run.output}`);
  const ref = contrastiveCase(W, 0, W * B, (x) => x);
  const rows = (g: number[], r: number): number[] => g.slice(r * B * 6, (r + 1) * B * 6);
  let plainWorst = 0;
  for (let r = 0; r < W; r++) {
    const res = await readJson<{ withGrad: CaseResult; plain: CaseResult }>(join(dir, `rank${r}.json`));
    const w = res.withGrad;
    assert.ok(Math.abs(w.loss - ref.loss) < 1e-5, `rank ${r}: loss ${w.loss} vs ${ref.loss}`);
    assert.ok(worstDiff(w.gradP, ref.gradP) < 1e-6, `rank ${r}: dL/dP differs by ${worstDiff(w.gradP, ref.gradP)}`);
    assert.ok(worstDiff(w.gradS, ref.gradS) < 1e-6, `rank ${r}: dL/ds ${w.gradS} vs ${ref.gradS}`);
    const scaled = (g: number[]): number[] => g.map((v) => v / W);
    assert.ok(worstDiff(scaled(w.gradImages), rows(ref.gradImages, r)) < 1e-6, `rank ${r}: image feature gradients`);
    assert.ok(worstDiff(scaled(w.gradTexts), rows(ref.gradTexts, r)) < 1e-6, `rank ${r}: text feature gradients`);
    // Same loss value (the forward is identical), but the gradient is not the global one.
    assert.ok(Math.abs(res.plain.loss - ref.loss) < 1e-5);
    plainWorst = Math.max(plainWorst, worstDiff(res.plain.gradP, ref.gradP));
  }
  assert.ok(plainWorst > 1e-3, `a plain all-gather should give a wrong dL/dP, but it differs only by ${plainWorst}`);
});
