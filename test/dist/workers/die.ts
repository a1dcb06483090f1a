/**
 * Worker of failure.test.ts: trains the small CLIP of train_case.ts step after step, printing `pid P` once and
 * `step N` after each step. LACLIP_TEST_DIE picks how rank 1 misbehaves after step 2: `exit` (process.exit(7)),
 * `hang` (stops taking part but stays alive), or nothing (trains on until stopped). A failed collective ends
 * the worker with its message and exit code 1, as the CLI does. Does nothing unless started as that worker.
 */
import { initDistributedContext } from "../../../src/dist/index.js";
import { GLOBAL_BATCH, SCENARIOS, runSteps } from "../train_case.js";

async function main(): Promise<void> {
  process.stdout.write(`pid ${process.pid}\n`);
  const ctx = initDistributedContext({ timeoutMs: Number(process.env.LACLIP_TEST_TIMEOUT_MS ?? 60_000) });
  const rows = GLOBAL_BATCH / ctx.world;
  const die = process.env.LACLIP_TEST_DIE ?? "";
  await runSteps(SCENARIOS.clip!, ctx, {
    first: ctx.rank * rows, rows, steps: 10_000,
    onStep: (step) => {
      process.stdout.write(`step ${step}\n`);
      if (ctx.rank !== 1 || step < 2) return;
      if (die === "exit") process.exit(7);
      if (die === "hang") Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // blocks for good
    },
  });
}

if (process.env.LACLIP_DIST_TEST_WORKER === "die") {
  main().catch((err: Error) => {
    process.stderr.write(`worker failed: ${err.message}\n`);
    process.exit(1);
  });
}
