/** Two real processes over loopback: every collective of the process group gives the values it should. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { distributedBackends } from "../../src/dist/index.js";
import { launch, readJson, tempDir } from "./run_workers.js";

test("the addon was built with the Gloo backend", () => {
  assert.ok(distributedBackends().includes("gloo"), `backends: ${distributedBackends().join(",") || "none"}`);
});

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
