import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.js";

test("laclip bench loader prints one JSON line for the main thread and one for the pool", async () => {
  const r = await runCli(["bench", "loader", "--json", "--n", "6", "--size", "32", "--workers", "1"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.map((l) => [l.mode, l.workers]), [["main-thread", 0], ["pool", 1]]);
  for (const l of lines) {
    assert.equal(l.bench, "loader");
    assert.equal(l.n, 6);
    assert.equal(l.failed, 0);
    assert.ok(typeof l.images_per_s === "number" && l.images_per_s > 0);
  }
});

test("laclip bench loader refuses a bad option value, naming it", async () => {
  const r = await runCli(["bench", "loader", "--workers", "0"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--workers must be an integer >= 1/);
  const s = await runCli(["bench", "loader", "--resampler", "magic", "--n", "1"]);
  assert.equal(s.code, 1);
  assert.match(s.stderr, /resampler must be 'libvips' or 'pillow'/);
});
