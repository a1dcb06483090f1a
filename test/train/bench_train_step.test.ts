/**
 * `laclip bench train-step` through the real CLI: one JSON line with samples/s, the FLOP count of flops.ts and
 * an MFU in (0, 1); `--peer` runs the PyTorch peer and prints its line and the ratio (skipped without ../shared
 * or python3-torch). Speeds are measured, never asserted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { resolveClipConfig } from "../../src/models/clip/index.js";
import { stepFlops } from "../../src/train/trainer/flops.js";
import { runCli } from "../helpers/cli.js";
import { sharedPath } from "../helpers/shared.js";
import { tempDir, tinyModel } from "./trainer_fixtures.js";

const env = { ...process.env, LACLIP_NUM_THREADS: "1" };

test("bench train-step prints samples/s, the step's model FLOPs and an MFU against the measured matmul peak", async (t) => {
  const dir = await tempDir(t);
  const model = join(dir, "tiny.json");
  await writeFile(model, JSON.stringify(tinyModel(600)));
  const r = await runCli(["bench", "train-step", "--config", model, "--batch", "4", "--steps", "3", "--warmup", "1", "--threads", "1", "--profile"], { env });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  const j = JSON.parse(lines[0]!) as Record<string, number | string | number[]>;
  assert.equal(j.bench, "train-step");
  assert.equal(j.threads, 1);
  assert.ok((j.samples_per_s as number) > 0);
  const flops = stepFlops(resolveClipConfig(tinyModel(600) as never), 4).train / 1e9;
  assert.equal(j.gflop_per_step, Number(flops.toFixed(3)));
  assert.ok((j.peak_gflops_matmul1024 as number) > 0);
  assert.ok((j.mfu as number) > 0 && (j.mfu as number) < 1, `mfu ${j.mfu}`);
  const [before, after] = j.live_tensors as number[];
  assert.equal(after, before, "no tensor leaks across the timed steps");
  assert.match(r.stderr, /phase forward_vision/);
  assert.match(r.stderr, /native calls \d+\/step/);
  const refused = await runCli(["bench", "train-step", "--config", model, "--peer"], { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /--peer knows only the peer's configs bench-s and vit-b16/);
});

test("bench train-step --peer runs the PyTorch peer with the same settings and prints the ratio", async (t) => {
  if (sharedPath(t, "bench", "torch_clip_step.py") === undefined) return;
  if (spawnSync("/usr/bin/python3", ["-c", "import torch"]).status !== 0) {
    t.skip("python3-torch absent: /usr/bin/python3 cannot import torch");
    return;
  }
  const r = await runCli(["bench", "train-step", "--config", "bench-s", "--batch", "2", "--steps", "1", "--warmup", "0", "--threads", "1", "--peer"], { env });
  assert.equal(r.code, 0, r.stderr);
  const [ours, peer, ratio] = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(ours!.engine, "laclip");
  assert.equal(peer!.peer, "pytorch-eager");
  assert.deepEqual([peer!.config, peer!.dtype, peer!.batch, peer!.threads], ["bench-s", "fp32", 2, 1]);
  assert.equal(ratio!.bench, "train-step-ratio");
  assert.ok(Math.abs((ratio!.ratio as number) - (ours!.samples_per_s as number) / (peer!.samples_per_s as number)) < 0.01);
});
