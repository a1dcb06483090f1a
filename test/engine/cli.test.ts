/** The engine's CLI commands, run as real processes: selfcheck and bench matmul. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";

test("laclip selfcheck passes, reports the engine, honours LACLIP_NUM_THREADS", async () => {
  const r = await runCli(["selfcheck", "--json", "--no-bench"], { env: { ...process.env, LACLIP_NUM_THREADS: "1" } });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { ok: boolean; threads: number; torchVersion: string; devices: string[]; checks: { ok: boolean }[] };
  assert.equal(report.ok, true);
  assert.equal(report.threads, 1);
  assert.match(report.torchVersion, /^\d+\.\d+/);
  assert.ok(report.devices.includes("cpu"));
  assert.ok(report.checks.length >= 5 && report.checks.every((c) => c.ok));
  const human = await runCli(["selfcheck", "--no-bench"]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /libtorch .*intra-op threads[\s\S]*ok {3}matmul[\s\S]*selfcheck passed/);
});

test("laclip bench matmul prints one JSON line per size and dtype", async () => {
  const r = await runCli(["bench", "matmul", "--sizes", "32,64", "--dtype", "fp32,bf16", "--threads", "1", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { size: number; dtype: string; gflops: number; threads: number });
  assert.deepEqual(lines.map((l) => `${l.size}/${l.dtype}`), ["32/fp32", "32/bf16", "64/fp32", "64/bf16"]);
  for (const l of lines) {
    assert.ok(l.gflops > 0);
    assert.equal(l.threads, 1);
  }
  const bad = await runCli(["bench", "matmul", "--sizes", "0"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--sizes takes integers >= 1/);
  const badEnv = await runCli(["selfcheck", "--no-bench"], { env: { ...process.env, LACLIP_NUM_THREADS: "lots" } });
  assert.notEqual(badEnv.code, 0);
  assert.match(badEnv.stderr, /^laclip selfcheck: LACLIP_NUM_THREADS must be a positive integer, got .lots./m);
});
