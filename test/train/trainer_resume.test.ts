/**
 * Auto-resume through the real CLI: a `laclip train` killed with SIGKILL once a checkpoint exists, then started
 * again with the same command, ends with the same weights, optimizer state and metrics as a run that was never
 * interrupted (bit for bit: same data order, crops, text draws, schedule and arithmetic).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readSafetensors } from "../../src/io/safetensors/reader.js";
import { formatConfig } from "../../src/train/config/index.js";
import { readMetrics } from "../../src/train/log/index.js";
import { cliCommand, runCli } from "../helpers/cli.js";
import { tinyConfig, tinyData } from "./trainer_fixtures.js";

async function sameTensors(a: string, b: string): Promise<void> {
  const [x, y] = await Promise.all([readSafetensors(a), readSafetensors(b)]);
  assert.deepEqual([...x.tensors.keys()].sort(), [...y.tensors.keys()].sort());
  for (const [k, t] of x.tensors) assert.ok(Buffer.from(t.data).equals(Buffer.from(y.tensors.get(k)!.data)), `${a}: tensor ${k} differs`);
}

const KEYS = ["step", "epoch", "loss", "loss_avg", "lr", "logit_scale", "bad_samples"];
const pick = (path: string) => readMetrics(path).map((m) => Object.fromEntries(KEYS.map((k) => [k, m[k]])));

test("SIGKILL after a checkpoint, restart: the same final weights and metrics as an uninterrupted run", async (t) => {
  const d = await tinyData(t, { n: 32 });
  const cfg = await tinyConfig(d, "set-by-output", ["train.epochs=3", "data.workers=1", "checkpoint.every_steps=2"]);
  const file = join(d.dir, "train.yaml");
  await writeFile(file, formatConfig(cfg));
  const env = { ...process.env, LACLIP_NUM_THREADS: "1" }; // tiny ops: one thread is much faster on 2 shared cores
  const args = (out: string) => ["train", "--config", file, "--merges", d.merges, "--output", out];

  const whole = join(d.dir, "whole");
  const a = await runCli(args(whole), { env });
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /"done":true,"step":24/);
  assert.match(a.stdout, /^# laclip train: config .*train\.yaml, changed here: .*\ncheckpoint:\n  output_dir: .*whole\n\{/, "the keys changed from the config file are printed at start");

  const killed = join(d.dir, "killed");
  const [cmd, ...pre] = cliCommand();
  const child = spawn(cmd!, [...pre, ...args(killed)], { stdio: "ignore", env });
  const first = join(killed, "checkpoints", "step-00000002");
  const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
    const timer = setInterval(() => {
      if (existsSync(first)) {
        clearInterval(timer);
        child.kill("SIGKILL");
      }
    }, 5);
    child.on("error", reject);
    child.on("exit", (_code, sig) => {
      clearInterval(timer);
      resolve(sig);
    });
  });
  assert.equal(signal, "SIGKILL", "the run was killed, not finished");
  const left = (await readdir(join(killed, "checkpoints"))).filter((n) => n.startsWith("step-"));
  assert.ok(left.length >= 1 && !left.includes("step-00000024"), `killed mid-run: ${left.join(", ")}`);

  const b = await runCli(args(killed), { env });
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stderr, /resuming from .*checkpoints\/step-0000000\d/);
  assert.match(b.stdout, /"done":true,"step":24/);

  const last = (dir: string) => join(dir, "checkpoints", "step-00000024");
  await sameTensors(join(last(whole), "model.safetensors"), join(last(killed), "model.safetensors"));
  await sameTensors(join(last(whole), "optimizer.safetensors"), join(last(killed), "optimizer.safetensors"));
  const mw = pick(join(whole, "metrics.jsonl"));
  assert.equal(mw.length, 24);
  assert.deepEqual(pick(join(killed, "metrics.jsonl")), mw);
});
