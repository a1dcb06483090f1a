/**
 * A launcher process for failure.test.ts: launchLocalWorkers running 2 `die` workers that train until stopped,
 * so that the test can SIGKILL the launcher itself. Does nothing unless started as that worker.
 */
import { launchLocalWorkers } from "../../../src/dist/index.js";
import { workerCommand } from "../run_workers.js";

if (process.env.LACLIP_DIST_TEST_WORKER === "launcher") {
  await launchLocalWorkers({ nproc: 2, argv: [], command: workerCommand("die"), env: { ...process.env, LACLIP_DIST_TEST_WORKER: "die" } }).catch(() => process.exit(1));
}
