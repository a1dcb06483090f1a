/** Two real processes over loopback: every collective of the process group gives the values it should. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { distributedBackends, freePort } from "../../src/dist/index.js";
import { exited, launch, readJson, spawnRank, tempDir } from "./run_workers.js";

test("the addon was built with the Gloo backend", () => {
  assert.ok(distributedBackends().includes("gloo"), `backends: ${distributedBackends().join(",") || "none"}`);
});

async function checkSums(dir: string): Promise<void> {
  for (const r of [0, 1]) {
    const o = await readJson<Record<string, unknown>>(join(dir, `rank${r}.json`));
    assert.deepEqual(o.sum, [[3, 30], [[1, 2], [4, 1]], [[3, 6, 9]]], `rank ${r} sum`);
  }
}

test("2 processes: allreduce (sum, average, bucketed, int64), allgather (even and ragged), broadcast, reduce-scatter", async (t) => {
  const dir = await tempDir(t);
  const run = await launch("collectives", 2, { LACLIP_TEST_OUT: dir });
  assert.equal(run.error, undefined, `launch failed: ${String(run.error)}\n${run.output}`);
  const res = await Promise.all([0, 1].map((r) => readJson<Record<string, unknown>>(join(dir, `rank${r}.json`))));
  for (const [r, o] of res.entries()) {
    assert.deepEqual(o.sum, [[3, 30], [[1, 2], [4, 1]], [[3, 6, 9]]], `rank ${r} sum`);
    assert.deepEqual(o.avg, [[0.5, 1, 4], [[1]]], `rank ${r} avg`);
    assert.deepEqual(o.i64, [3], `rank ${r} i64`);
    assert.deepEqual(o.gather, [[0, 0], [10, 10], [1, 1], [11, 11]], `rank ${r} gather`);
    assert.deepEqual(o.ragged, [[0, 0, 1], [1, -1, 1], [1, -1, 1]], `rank ${r} ragged`);
    assert.deepEqual(o.broadcast, [[1, 1, 1], [[7]]], `rank ${r} broadcast from rank 1`);
    assert.match(String(o.mismatch), /rank \d passed a Float \(1, [23]\) tensor but rank \d passed a Float \(1, [23]\) one/);
    assert.deepEqual(o.afterMismatch, [2], `rank ${r}: the group works after a refused gather`);
  }
  // Chunk r of [1,2,3,4] * (1 + 2) summed over ranks.
  assert.deepEqual(res[0]!.reduceScatter, [3, 6]);
  assert.deepEqual(res[1]!.reduceScatter, [9, 12]);
});

test("torchrun's agent store (TORCHELASTIC_USE_AGENT_STORE=True): rank 0 joins the store instead of serving it", async (t) => {
  const dir = await tempDir(t);
  const port = await freePort();
  // The agent: something else already serves the store on MASTER_PORT (rank 0 serving it too would fail to bind).
  const agent = spawnRank("store_host", 0, 1, port);
  t.after(() => agent.kill("SIGKILL"));
  const ready = new Promise<void>((res) => agent.stdout!.on("data", () => /ready/.test(agent.output()) && res()));
  await Promise.race([ready, exited(agent).then(() => assert.fail(`store host exited: ${agent.output()}`))]);
  const run = await launch("collectives", 2, { LACLIP_TEST_OUT: dir, TORCHELASTIC_USE_AGENT_STORE: "True", TORCHELASTIC_RUN_ID: "t1" }, { masterPort: port });
  assert.equal(run.error, undefined, `launch failed: ${String(run.error)}\n${run.output}`);
  await checkSums(dir);
});
