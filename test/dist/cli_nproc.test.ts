/**
 * `laclip train --nproc 2` through the real CLI on a tiny real dataset (images decoded and augmented, rewrites
 * sampled, the whole data pipeline): two workers of batch 4, their launcher SIGKILLed after the first
 * checkpoint (the workers go with it) and the command run again (it resumes), train with the same per-step
 * losses as one process of batch 8; workers that fail take the job down with exit code 1.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { cliCommand, runCli } from "../helpers/cli.js";
import { tinyData, type TinyData } from "../train/trainer_fixtures.js";
import { alive } from "./run_workers.js";

function trainArgs(d: TinyData, out: string, extra: string[] = []): string[] {
  const set = [
    `model.name=${d.modelConfig}`, "data.format=csv", `data.train=${d.csv}`, `data.rewrites=[${d.rewrites.join(",")}]`,
    "data.workers=0", "text.augment=laclip", "train.dtype=fp32", "train.seed=3",
    "optim.lr=0.01", "optim.warmup_steps=1", "checkpoint.every_steps=0", `checkpoint.output_dir=${out}`,
    "log.every_steps=1", "log.tensorboard=false", "log.progress=none", ...extra,
  ];
  return ["train", "--merges", d.merges, ...set.flatMap((s) => ["--set", s])];
}

const stepLosses = (out: string): number[] =>
  readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { loss?: number }).flatMap((m) => (m.loss === undefined ? [] : [m.loss]));

/** Starts `laclip train --nproc 2`, SIGKILLs the launcher once the first checkpoint exists, waits for its workers to go. */
async function killAfterFirstCheckpoint(args: string[], out: string, env: NodeJS.ProcessEnv): Promise<void> {
  const [cmd, ...pre] = cliCommand();
  const child = spawn(cmd!, [...pre, ...args], { stdio: ["ignore", "ignore", "pipe"], env });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
    const timer = setInterval(() => existsSync(join(out, "checkpoints", "step-00000002")) && child.kill("SIGKILL"), 5);
    child.on("error", reject);
    child.on("exit", (_code, sig) => {
      clearInterval(timer);
      resolve(sig);
    });
  });
  assert.equal(signal, "SIGKILL", `the launcher was killed, not finished:\n${stderr}`);
  const pids = (stderr.match(/\[launcher\] 2 workers, MASTER_PORT \d+, pids (\d+) (\d+)/) ?? []).slice(1).map(Number);
  assert.equal(pids.length, 2, stderr);
  const end = Date.now() + 10_000;
  while (pids.some(alive)) {
    assert.ok(Date.now() < end, `workers ${pids.filter(alive).join(", ")} outlived their launcher by 10 s`);
    await sleep(20);
  }
}

test("laclip train --nproc 2 (batch 4 each), killed and restarted = 1 process (batch 8): the same loss at every step", async (t) => {
  const d = await tinyData(t, { n: 16 });
  const out = join(d.dir, "run");
  const env = { ...process.env, LACLIP_NUM_THREADS: "1" };
  const two = [...trainArgs(d, out, ["train.batch_size=4", "train.epochs=4", "checkpoint.every_steps=2"]), "--nproc", "2"];
  await killAfterFirstCheckpoint(two, out, env);
  const left = readdirSync(join(out, "checkpoints")).filter((n) => n.startsWith("step-"));
  assert.ok(!left.includes("step-00000008"), `killed mid-run: ${left.join(", ")}`);

  const r = await runCli(two, { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /\[rank 0\] resuming from .*step-0000000[2-7]/);
  assert.match(r.stderr, /\[rank 1\] /);
  const done = (r.stdout.match(/\[rank \d\] \{"done":true,"step":8,/g) ?? []).length;
  assert.equal(done, 1, `only rank 0 prints the final line:\n${r.stdout}`);
  const got = stepLosses(out);
  assert.equal(got.length, 8, `16 samples / (2 ranks x 4) = 2 steps per epoch, 4 epochs: ${got.join(", ")}`);

  const one = join(d.dir, "one");
  const single = await runCli(trainArgs(d, one, ["train.batch_size=8", "train.epochs=4", "checkpoint.every_steps=2"]), { env });
  assert.equal(single.code, 0, single.stderr);
  const ref = stepLosses(one);
  assert.ok(got.every((l, i) => Math.abs(l - ref[i]!) < 1e-5 * Math.abs(ref[i]!)), `losses ${got.join(", ")} vs ${ref.join(", ")}`);
  assert.ok(ref.at(-1)! < ref[0]!, "the run learns");
});

test("laclip train --nproc 2: workers that fail end the job with exit code 1, naming the first", async (t) => {
  const d = await tinyData(t, { n: 16 });
  // 16 samples cannot fill a step of 2 x 64: found by the workers once they open the data
  const r = await runCli([...trainArgs(d, join(d.dir, "run"), ["train.batch_size=64"]), "--nproc", "2"], { env: { ...process.env, LACLIP_NUM_THREADS: "1" } });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /laclip train: worker rank [01] \(pid \d+\) exited with code 1/);
  assert.match(r.stderr, /\[rank [01]\] .*fewer than one global batch/, "the worker's own error is forwarded with its rank");
  // a missing data file is found before any worker starts
  const missing = await runCli([...trainArgs(d, join(d.dir, "run"), [`data.train=${join(d.dir, "no-such.csv")}`]), "--nproc", "2"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^laclip train: data\.train: CSV file '.*no-such\.csv' does not exist/);
});
