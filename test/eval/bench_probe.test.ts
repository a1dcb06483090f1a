import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { liveTensors } from "../../src/engine/index.js";
import { benchProbe } from "../../src/eval/bench_probe.js";
import { runCli } from "../helpers/cli.js";

test("bench probe fits a probe on random features and leaves no tensor behind", () => {
  const before = liveTensors();
  const r = benchProbe({ rows: 200, dim: 8, classes: 5, epochs: 2, batch: 64 });
  assert.equal(r.steps, 8, "2 epochs of ceil(200 / 64) steps");
  assert.ok(Number.isFinite(r.rowsPerSec) && r.rowsPerSec > 0);
  assert.equal(r.liveTensors[0], r.liveTensors[1], "the fit frees all it made");
  assert.equal(liveTensors(), before);
});

test("bench probe --peer runs the PyTorch loop with the same shape and prints the ratio", async (t) => {
  if (spawnSync("/usr/bin/python3", ["-c", "import torch"]).status !== 0) {
    t.skip("python3-torch absent: /usr/bin/python3 cannot import torch");
    return;
  }
  const shape = ["--rows", "300", "--dim", "16", "--classes", "10", "--batch", "32", "--threads", "1"];
  for (const loader of [[], ["--peer-dataloader"]]) {
    const r = await runCli(["bench", "probe", ...shape, "--peer", ...loader]);
    assert.equal(r.code, 0, r.stderr);
    const [ours, peer, ratio] = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(ours!.engine, "laclip");
    assert.equal(peer!.engine, "pytorch");
    assert.equal(peer!.loader, loader.length > 0 ? "dataloader" : "index");
    assert.deepEqual([peer!.rows, peer!.dim, peer!.classes, peer!.batch, peer!.threads, peer!.steps], [300, 16, 10, 32, 1, 10]);
    assert.equal(ours!.steps, 10);
    assert.ok(Math.abs((ratio!.ratio as number) - (ours!.rows_per_s as number) / (peer!.rows_per_s as number)) < 0.01);
  }
  const bad = await runCli(["bench", "probe", "--classes", "1"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--classes must be an integer >= 2/);
});
