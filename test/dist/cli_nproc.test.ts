/**
 * `laclip train --nproc 2` through the real CLI on a tiny real dataset: two workers train together (rank-
 * prefixed output, one run directory written by rank 0, the global batch split between them), and a worker
 * that fails takes the job down with exit code 1.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { tinyData, type TinyData } from "../train/trainer_fixtures.js";

function trainArgs(d: TinyData, out: string, extra: string[] = []): string[] {
  const set = [
    `model.name=${d.modelConfig}`, "data.format=csv", `data.train=${d.csv}`, `data.rewrites=[${d.rewrites.join(",")}]`,
    "data.workers=0", "text.augment=laclip", "train.batch_size=4", "train.epochs=1", "train.dtype=fp32", "train.seed=3",
    "optim.lr=0.01", "optim.warmup_steps=1", "checkpoint.every_steps=0", `checkpoint.output_dir=${out}`,
    "log.every_steps=1", "log.tensorboard=false", "log.progress=none", ...extra,
  ];
  return ["train", "--merges", d.merges, ...set.flatMap((s) => ["--set", s])];
}

test("laclip train --nproc 2: two workers train one run, global batch 2 x 4", async (t) => {
  const d = await tinyData(t, { n: 16 });
  const out = join(d.dir, "run");
  const r = await runCli([...trainArgs(d, out), "--nproc", "2"], { env: { ...process.env, LACLIP_NUM_THREADS: "1" } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /\[rank 0\] /);
  assert.match(r.stdout + r.stderr, /\[rank 1\] /);
  const done = (r.stdout.match(/\[rank \d\] (\{"done":true.*\})/g) ?? []).length;
  assert.equal(done, 1, `only rank 0 prints the final line:\n${r.stdout}`);
  const metrics = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
  const steps = metrics.filter((m) => typeof m.loss === "number" && m.step !== undefined);
  assert.equal(steps.length, 2, `16 samples / (2 ranks x 4) = 2 steps:\n${metrics.map((m) => JSON.stringify(m)).join("\n")}`);
  assert.ok(steps.every((m) => Number.isFinite(m.loss)));
  assert.ok(existsSync(join(out, "checkpoints")) && readdirSync(join(out, "checkpoints")).length >= 1);
});

test("laclip train --nproc 2: workers that fail end the job with exit code 1, naming the first", async (t) => {
  const d = await tinyData(t, { n: 16 });
  const missing = join(d.dir, "no-such.csv");
  const r = await runCli([...trainArgs(d, join(d.dir, "run"), [`data.train=${missing}`]), "--nproc", "2"], { env: { ...process.env, LACLIP_NUM_THREADS: "1" } });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /laclip train: worker rank [01] \(pid \d+\) exited with code 1/);
  assert.match(r.stderr, /\[rank [01]\] .*no-such\.csv/, "the worker's own error is forwarded with its rank");
});
