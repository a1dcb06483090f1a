import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { runRewriteJob } from "../../src/rewrite/job/job.js";
import { mergeShards, shardDirsOf } from "../../src/rewrite/job/merge.js";
import { ownsIndex, ownsTar, parseShard, shardFromEnv } from "../../src/rewrite/job/shard.js";
import { FakeRewriter, jobConfig, outputs, tempDir } from "./job_fixtures.js";

const FILES = ["alpha.txt", "beta.txt", "rewrites.jsonl"];

test("shards partition the indices and the tars: disjoint and complete", () => {
  for (const count of [1, 2, 3, 7]) {
    for (let index = 0; index < 50; index++) {
      const owners = Array.from({ length: count }, (_, i) => i).filter((i) => ownsIndex({ index: i, count }, index));
      assert.equal(owners.length, 1);
      assert.equal(Array.from({ length: count }, (_, i) => i).filter((i) => ownsTar({ index: i, count }, index)).length, 1);
    }
  }
  assert.deepEqual(parseShard("3/16"), { index: 3, count: 16 });
  assert.throws(() => parseShard("16/16"), /0 <= i < N/);
  assert.throws(() => parseShard("a/b"), /--shard must be i\/N/);
});

test("shards come from Slurm arrays (offset by the array's first id) and Kubernetes indexed jobs", () => {
  assert.deepEqual(shardFromEnv({ SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_COUNT: "8", SLURM_ARRAY_TASK_MIN: "1" })?.spec, { index: 4, count: 8 });
  assert.deepEqual(shardFromEnv({ SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_COUNT: "4" })?.spec, { index: 2, count: 4 });
  assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: "3" }, 10)?.spec, { index: 3, count: 10 });
  assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: "3", LACLIP_SHARD_COUNT: "4" })?.spec, { index: 3, count: 4 });
  assert.throws(() => shardFromEnv({ JOB_COMPLETION_INDEX: "3" }), /--shard-count/);
  assert.throws(() => shardFromEnv({ JOB_COMPLETION_INDEX: "4", LACLIP_SHARD_COUNT: "4" }), /shard 4 of 4, which does not exist/);
  assert.equal(shardFromEnv({}), undefined);
});

async function shardedRun(dir: string, n: number, count: number): Promise<{ path: string; root: string; whole: string }> {
  const captions = Array.from({ length: n }, (_, i) => `shard test caption number ${i}`);
  const path = join(dir, "c.txt");
  await writeFile(path, captions.join("\n") + "\n");
  const whole = join(dir, "whole");
  await runRewriteJob(jobConfig(path, whole), async () => new FakeRewriter({ maxDelayMs: 2 }));
  const root = join(dir, "sharded");
  for (let index = 0; index < count; index++) {
    const rw = new FakeRewriter({ maxDelayMs: 2 });
    const s = await runRewriteJob(jobConfig(path, root, { shard: { index, count } }), async () => rw);
    assert.ok(rw.calls.every((i) => i % count === index));
    assert.equal(s.captions, Math.ceil((n - index) / count));
    assert.equal(s.inputTotal, n);
  }
  return { path, root, whole };
}

test("sharded runs merge back into exactly the unsharded outputs", async (t) => {
  const dir = await tempDir(t);
  const { root, whole } = await shardedRun(dir, 101, 3);
  const merged = await mergeShards(root, shardDirsOf(root, 3));
  assert.equal(merged.captions, 101);
  assert.deepEqual(await outputs(root, FILES), await outputs(whole, FILES));
});

test("merge names a missing shard, an unfinished shard and a missing index", async (t) => {
  const dir = await tempDir(t);
  const { path, root } = await shardedRun(dir, 40, 2);
  const [d0, d1] = shardDirsOf(root, 2);
  await assert.rejects(mergeShards(root, [d0!]), /shard\(s\) 1 of 2 not given/);
  await assert.rejects(mergeShards(root, [d0!, d0!]), /are both shard 0\/2/);
  await assert.rejects(mergeShards(root, [d0!, join(dir, "nowhere")]), /nowhere is not a finished shard \(no summary\.json\)/);
  const jsonl = join(d1!, "rewrites.jsonl");
  const lines = (await readFile(jsonl, "utf8")).split("\n");
  await writeFile(jsonl, [...lines.slice(0, 4), ...lines.slice(5)].join("\n"));
  await assert.rejects(mergeShards(root, [d0!, d1!]), /index 9 is missing: no shard holds it/);
  await writeFile(jsonl, [...lines.slice(0, -2), lines[0], ""].join("\n"));
  await assert.rejects(mergeShards(root, [d0!, d1!]), /index 1 is out of order/);
  const other = join(dir, "other");
  await runRewriteJob(jobConfig(path, other, { shard: { index: 1, count: 2 }, settings: { engine: "fake", seed: 5 } }), async () => new FakeRewriter());
  await assert.rejects(mergeShards(root, [d0!, shardDirsOf(other, 2)[1]!]), /comes from another run .*seed: 1 before, 5 now/);
});
