import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { liveTensors } from "../../src/engine/index.js";
import { benchEmbed } from "../../src/eval/bench_embed.js";
import { clipPreset } from "../../src/models/clip/index.js";
import { runCli } from "../helpers/cli.js";
import { sharedPath } from "../helpers/shared.js";

test("bench embed runs both towers in fp32 and bf16 and leaves no tensor behind", () => {
  const before = liveTensors();
  for (const dtype of ["fp32", "bf16"] as const) {
    const r = benchEmbed({ config: clipPreset("laclip-tiny"), dtype, batch: 2, steps: 1, warmup: 1 });
    assert.ok(Number.isFinite(r.pairsPerSec) && r.pairsPerSec > 0);
    assert.equal(r.liveTensors[0], r.liveTensors[1], "no tensor accumulates across steps");
  }
  assert.equal(liveTensors(), before);
});

test("bench embed --peer --rounds alternates laclip and PyTorch and ends with the median ratio", async (t) => {
  const bad = await runCli(["bench", "embed", "--rounds", "0"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--rounds must be an integer >= 1/);
  if (spawnSync("/usr/bin/python3", ["-c", "import torch"]).status !== 0) {
    t.skip("python3-torch absent: /usr/bin/python3 cannot import torch");
    return;
  }
  if (sharedPath(t, "bench", "torch_clip_step.py") === undefined) return; // the peer script lives in ../shared
  const r = await runCli(["bench", "embed", "--config", "bench-s", "--batch", "2", "--steps", "1", "--warmup", "0", "--threads", "1", "--peer", "--rounds", "3"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.map((l) => l.bench ?? l.peer), ["embed", "pytorch-eager", "embed-ratio", "embed", "pytorch-eager", "embed-ratio", "embed", "pytorch-eager", "embed-ratio", "embed-ratio-median"]);
  const rounds = lines.filter((l) => l.bench === "embed-ratio");
  assert.deepEqual(rounds.map((l) => l.round), [1, 2, 3]);
  const last = lines.at(-1)!;
  const ratios = rounds.map((l) => l.ratio as number);
  assert.deepEqual(last.ratios, ratios);
  assert.equal(last.ratio, [...ratios].sort((a, b) => a - b)[1], "the middle of three");
});
