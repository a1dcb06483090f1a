/**
 * Stands in for torchrun's agent in collectives.test.ts: serves a rendezvous store at MASTER_PORT (as rank 0
 * of a one-process group) and stays up until killed. Does nothing unless started as that worker.
 */
import { initProcessGroup } from "../../../src/dist/index.js";

if (process.env.LACLIP_DIST_TEST_WORKER === "store_host") {
  initProcessGroup({ rank: 0, world: 1, timeoutMs: 20_000 });
  process.stdout.write("ready\n");
  setInterval(() => {}, 1000);
}
