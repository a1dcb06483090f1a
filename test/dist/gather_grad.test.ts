/**
 * The all-gather with gradient gives each rank the gradient of the GLOBAL contrastive loss: 2 processes each
 * holding half the batch end with the same loss and (after averaging) the same parameter gradients as one
 * process holding all of it, whether every rank computes the whole loss (this trainer) or only its own
 * anchors' share (SLIP/LaCLIP). Each rank's feature rows receive world x their share, which the averaging
 * divides back out. A plain all-gather does not give that: with the whole loss its gradient is 1/world of
 * the right one; with the per-rank loss it points elsewhere (docs/distributed.md).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { B, D, contrastiveCase, cosine, worstDiff, type CaseResult } from "./contrastive_case.js";
import { launch, readJson, tempDir } from "./run_workers.js";

const W = 2;

test("gather with gradient: 2 ranks x half the batch = 1 process x the whole batch; a plain gather is not", async (t) => {
  const dir = await tempDir(t);
  const run = await launch("gather_grad", W, { LACLIP_TEST_OUT: dir });
  assert.equal(run.error, undefined, `launch failed: ${String(run.error)}\n${run.output}`);
  // One process, all rows: both formulations are the same CLIP loss.
  const ref = contrastiveCase("global", W, 0, W * B, (x) => x);
  const refLocal = contrastiveCase("local", W, 0, W * B, (x) => x);
  assert.ok(Math.abs(ref.loss - refLocal.loss) < 1e-6 && worstDiff(refLocal.gradP, ref.gradP) < 1e-6);
  const rows = (g: number[], r: number): number[] => g.slice(r * B * D, (r + 1) * B * D);
  const scaled = (g: number[], k: number): number[] => g.map((v) => v * k);

  for (let r = 0; r < W; r++) {
    const res = await readJson<Record<string, CaseResult>>(join(dir, `rank${r}.json`));
    for (const kind of ["global", "local"]) {
      const w = res[`${kind}-grad`]!;
      const what = `${kind} loss, rank ${r}`;
      assert.ok(Math.abs(w.loss - ref.loss) < 1e-5, `${what}: loss ${w.loss} vs ${ref.loss}`);
      assert.ok(worstDiff(w.gradP, ref.gradP) < 1e-6, `${what}: dL/dP differs by ${worstDiff(w.gradP, ref.gradP)}`);
      assert.ok(worstDiff(w.gradS, ref.gradS) < 1e-6, `${what}: dL/ds ${w.gradS} vs ${ref.gradS}`);
      assert.ok(worstDiff(scaled(w.gradImages, 1 / W), rows(ref.gradImages, r)) < 1e-6, `${what}: image feature gradients`);
      assert.ok(worstDiff(scaled(w.gradTexts, 1 / W), rows(ref.gradTexts, r)) < 1e-6, `${what}: text feature gradients`);
      // The plain gather computes the same loss value...
      assert.ok(Math.abs(res[`${kind}-plain`]!.loss - ref.loss) < 1e-5, `${what}: plain gather loss`);
    }
    // ... but with the whole loss on every rank its gradient is 1/W of the global one (P and s alike),
    const plainGlobal = res["global-plain"]!;
    assert.ok(worstDiff(plainGlobal.gradP, scaled(ref.gradP, 1 / W)) < 1e-6, `rank ${r}: plain gather, global loss: dL/dP is not ref/W`);
    // and with each rank's own share of the loss it misses the terms where this rank's features are the
    // negatives of other ranks' anchors: a different direction.
    const c = cosine(res["local-plain"]!.gradP, ref.gradP);
    assert.ok(c < 0.99, `rank ${r}: plain gather, local loss: cosine to the true dL/dP is ${c}`);
  }
});
