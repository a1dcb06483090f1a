/**
 * `laclip train --nproc 2` through the real CLI on a tiny real dataset (images decoded and augmented, rewrites
 * sampled, the whole data pipeline): two workers of batch 4 train together (rank-prefixed output, one run
 * directory written by rank 0) with the same per-step losses as one process of batch 8; workers that fail
 * take the job down with exit code 1.
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
    "data.workers=0", "text.augment=laclip", "train.epochs=2", "train.dtype=fp32", "train.seed=3",
    "optim.lr=0.01", "optim.warmup_steps=1", "checkpoint.every_steps=0", `checkpoint.output_dir=${out}`,
    "log.every_steps=1", "log.tensorboard=false", "log.progress=none", ...extra,
  ];
  return ["train", "--merges", d.merges, ...set.flatMap((s) => ["--set", s])];
}

const stepLosses = (out: string): number[] =>
  readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { loss?: number }).flatMap((m) => (m.loss === undefined ? [] : [m.loss]));

test("laclip train --nproc 2 (batch 4 each) = 1 process (batch 8): same losses at every step, one run directory", async (t) => {
  const d = await tinyData(t, { n: 16 });
  const out = join(d.dir, "run");
  const env = { ...process.env, LACLIP_NUM_THREADS: "1" };
  const r = await runCli([...trainArgs(d, out, ["train.batch_size=4"]), "--nproc", "2"], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /\[rank 0\] /);
  assert.match(r.stdout + r.stderr, /\[rank 1\] /);
  const done = (r.stdout.match(/\[rank \d\] (\{"done":true.*\})/g) ?? []).length;
  assert.equal(done, 1, `only rank 0 prints the final line:\n${r.stdout}`);
  const two = stepLosses(out);
  assert.equal(two.length, 4, `16 samples / (2 ranks x 4) = 2 steps per epoch, 2 epochs: ${two.join(", ")}`);
  const one = join(d.dir, "one");
  const single = await runCli(trainArgs(d, one, ["train.batch_size=8"]), { env });
  assert.equal(single.code, 0, single.stderr);
  const ref = stepLosses(one);
  assert.ok(two.every((l, i) => Math.abs(l - ref[i]!) < 1e-5 * Math.abs(ref[i]!)), `losses ${two.join(", ")} vs ${ref.join(", ")}`);
  assert.ok(ref.at(-1)! < ref[0]!, "the run learns");
  assert.ok(existsSync(join(out, "checkpoints")) && readdirSync(join(out, "checkpoints")).length >= 1);
});

test("laclip train --nproc 2: workers that fail end the job with exit code 1, naming the first", async (t) => {
  const d = await tinyData(t, { n: 16 });
  const missing = join(d.dir, "no-such.csv");
  const r = await runCli([...trainArgs(d, join(d.dir, "run"), ["train.batch_size=4", `data.train=${missing}`]), "--nproc", "2"], { env: { ...process.env, LACLIP_NUM_THREADS: "1" } });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /laclip train: worker rank [01] \(pid \d+\) exited with code 1/);
  assert.match(r.stderr, /\[rank [01]\] .*no-such\.csv/, "the worker's own error is forwarded with its rank");
});
