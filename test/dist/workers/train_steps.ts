/**
 * Worker of train_equivalence.test.ts: every scenario of train_case.ts through a DistributedContext, this
 * rank holding its contiguous share of each global batch and starting from weights of its own seed (the
 * broadcast must replace them). Writes $LACLIP_TEST_OUT/rank<R>.json. Does nothing unless started as that worker.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { initDistributedContext } from "../../../src/dist/index.js";
import { GLOBAL_BATCH, SCENARIOS, runSteps, type StepsResult } from "../train_case.js";

async function main(): Promise<void> {
  const ctx = initDistributedContext({ timeoutMs: 20_000 });
  const rows = GLOBAL_BATCH / ctx.world;
  const out: Record<string, StepsResult> = {};
  for (const [name, s] of Object.entries(SCENARIOS)) out[name] = await runSteps(s, ctx, { first: ctx.rank * rows, rows, initSeed: 7 + 1000 * ctx.rank });
  writeFileSync(join(process.env.LACLIP_TEST_OUT!, `rank${ctx.rank}.json`), JSON.stringify(out));
  await ctx.barrier();
  await ctx.close();
}

if (process.env.LACLIP_DIST_TEST_WORKER === "train_steps") await main();
