/**
 * Worker of gather_grad.test.ts: the shared contrastive case on this rank's rows, for both loss formulations,
 * once with the all-gather that carries gradients and once with a plain all-gather whose only gradient path is
 * the local slice (open_clip without gather_with_grad). Parameter gradients are averaged over ranks, as the
 * trainer does; for the local formulation the loss is averaged too. Writes $LACLIP_TEST_OUT/rank<R>.json.
 * Does nothing unless started as that worker.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cat, tensor, type Tensor } from "../../../src/engine/index.js";
import { initProcessGroup, type ProcessGroup } from "../../../src/dist/index.js";
import { B, contrastiveCase, type CaseResult, type LossKind } from "../contrastive_case.js";

/** All ranks' rows without gradient, except this rank's own rows, which keep theirs. */
function plainGather(g: ProcessGroup, t: Tensor): Tensor {
  const all = g.allGather(t); // (W * B, D), no graph
  return cat(Array.from({ length: g.world }, (_, r) => (r === g.rank ? t : all.narrow(0, r * B, B))));
}

function main(): void {
  const g = initProcessGroup({ timeoutMs: 20_000 });
  const average = (p: Tensor, s: Tensor): void => g.allReduce([p.grad!, s.grad!], { average: true });
  const meanLoss = (r: CaseResult): CaseResult => {
    const l = tensor([r.loss]);
    g.allReduce([l], { average: true });
    return { ...r, loss: l.item() };
  };
  const out: Record<string, CaseResult> = {};
  for (const kind of ["global", "local"] as LossKind[]) {
    out[`${kind}-grad`] = meanLoss(contrastiveCase(kind, g.world, g.rank * B, B, (t) => g.allGatherWithGrad(t), average));
    out[`${kind}-plain`] = meanLoss(contrastiveCase(kind, g.world, g.rank * B, B, (t) => plainGather(g, t), average));
  }
  writeFileSync(join(process.env.LACLIP_TEST_OUT!, `rank${g.rank}.json`), JSON.stringify(out));
  g.barrier(10_000);
  g.destroy();
}

if (process.env.LACLIP_DIST_TEST_WORKER === "gather_grad") main();
