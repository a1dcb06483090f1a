/**
 * SIGINT and SIGTERM during `laclip train`, with real processes and real signals: the run saves a checkpoint at
 * the step it is on and exits 128 + the signal number, saying so; the same command then resumes from that
 * checkpoint. A second signal exits at once. With `--nproc 2`, a signal to one worker stops both at the same
 * step (the stop flag is all-reduced at every step boundary).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cliCommand, runCli } from "../helpers/cli.js";
import { tinyData, type TinyData } from "./trainer_fixtures.js";

const env = { ...process.env, LACLIP_NUM_THREADS: "1" };

function trainArgs(d: TinyData, out: string, extra: string[] = []): string[] {
  const set = [
    `model.name=${d.modelConfig}`, "data.format=csv", `data.train=${d.csv}`, `data.rewrites=[${d.rewrites.join(",")}]`,
    "data.workers=0", "text.augment=laclip", "train.batch_size=4", "train.epochs=200", "train.dtype=fp32", "train.seed=3",
    "optim.lr=0.01", "optim.warmup_steps=1", "checkpoint.every_steps=0", `checkpoint.output_dir=${out}`,
    "log.every_steps=1", "log.tensorboard=false", "log.progress=none", ...extra,
  ];
  return ["train", "--merges", d.merges, ...set.flatMap((s) => ["--set", s])];
}

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
  exited: () => boolean;
}

function start(args: string[]): Running {
  const [cmd, ...pre] = cliCommand();
  const child = spawn(cmd!, [...pre, ...args], { stdio: ["ignore", "ignore", "pipe"], env });
  let stderr = "";
  let exited = false;
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  const exit = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      exited = true;
      resolve(code);
    });
  });
  return { child, stderr: () => stderr, exit, exited: () => exited };
}

const metricSteps = (out: string): number[] =>
  existsSync(join(out, "metrics.jsonl"))
    ? readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").filter((l) => l !== "").map((l) => (JSON.parse(l) as { step: number }).step)
    : [];

/** Waits until the run has logged `steps` optimizer steps. */
async function untilStep(out: string, steps: number, run: Running): Promise<void> {
  const end = Date.now() + 60_000;
  while ((metricSteps(out).at(-1) ?? 0) < steps) {
    assert.ok(Date.now() < end && !run.exited(), `no step ${steps} (within 60 s):\n${run.stderr()}`);
    await sleep(10);
  }
}

for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
  test(`${signal} mid-epoch: a checkpoint at the current step, exit ${code}, and the same command resumes from it`, async (t) => {
    const d = await tinyData(t, { n: 32 });
    const out = join(d.dir, "run");
    const run = start(trainArgs(d, out));
    await untilStep(out, 3, run);
    run.child.kill(signal);
    assert.equal(await run.exit, code, run.stderr());
    const m = /stopped by (\w+) after optimizer step (\d+); checkpoint saved: (.*step-(\d{8}))\. Run the same command again/.exec(run.stderr());
    assert.ok(m, run.stderr());
    assert.equal(m[1], signal);
    const step = Number(m[2]);
    assert.equal(Number(m[4]), step, "the checkpoint is of the step the run stopped at");
    assert.ok(existsSync(join(m[3]!, "model.safetensors")), m[3]);
    assert.notEqual(step % 8, 0, "mid-epoch (8 steps per epoch): not an end-of-epoch checkpoint");
    assert.equal(metricSteps(out).at(-1), step, "no step after the checkpoint was logged");
    assert.match(run.stderr(), new RegExp(`${signal} received: saving a checkpoint`));
    assert.doesNotMatch(run.stderr(), /\n\s+at /);

    // the same command continues from the checkpoint (stopped again quickly: the point is where it starts)
    const again = start(trainArgs(d, out));
    await untilStep(out, step + 1, again);
    again.child.kill(signal);
    assert.equal(await again.exit, code, again.stderr());
    assert.match(again.stderr(), new RegExp(`resuming from .*step-${String(step).padStart(8, "0")}: step ${step},`));
  });
}

test("a second signal exits at once, without waiting for the checkpoint", async (t) => {
  const d = await tinyData(t, { n: 32 });
  const out = join(d.dir, "run");
  const run = start(trainArgs(d, out));
  await untilStep(out, 2, run);
  run.child.kill("SIGINT");
  await sleep(3);
  run.child.kill("SIGINT");
  assert.equal(await run.exit, 130, run.stderr());
  assert.match(run.stderr(), /SIGINT again: exiting at once, without a checkpoint/);
  assert.doesNotMatch(run.stderr(), /checkpoint saved/);
});

test("--nproc 2: SIGTERM to one worker stops both at the same step; SIGTERM to the launcher too", async (t) => {
  const d = await tinyData(t, { n: 32 });
  for (const target of ["rank 1", "launcher"] as const) {
    const out = join(d.dir, `run-${target.replace(" ", "")}`);
    const run = start([...trainArgs(d, out), "--nproc", "2"]);
    await untilStep(out, 3, run);
    if (target === "launcher") run.child.kill("SIGTERM");
    else {
      const pids = /\[launcher\] 2 workers, MASTER_PORT \d+, pids (\d+) (\d+)/.exec(run.stderr());
      assert.ok(pids, run.stderr());
      process.kill(Number(pids[2]), "SIGTERM");
    }
    const code = await run.exit;
    assert.notEqual(code, 0, run.stderr());
    if (target === "launcher") assert.equal(code, 143, run.stderr());
    const stops = [...run.stderr().matchAll(/\[rank (\d)\] laclip train: stopped by SIGTERM after optimizer step (\d+)/g)];
    assert.deepEqual(stops.map((s) => s[1]).sort(), ["0", "1"], `${target}: both ranks stop:\n${run.stderr()}`);
    assert.equal(stops[0]![2], stops[1]![2], `${target}: the same step:\n${run.stderr()}`);
    const step = Number(stops[0]![2]);
    assert.ok(existsSync(join(out, "checkpoints", `step-${String(step).padStart(8, "0")}`, "model.safetensors")), run.stderr());
    assert.equal(metricSteps(out).at(-1), step);
  }
});
