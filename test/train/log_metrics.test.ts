import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MetricsLog, readMetrics } from "../../src/train/log/metrics_jsonl.js";
import { TrainProgress, formatDuration } from "../../src/train/log/progress.js";
import { tempDir } from "./data_fixtures.js";

test("metrics JSONL: one line per record, written at once, non-finite values kept as strings", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "run", "metrics.jsonl");
  const log = MetricsLog.open(path);
  log.write({ step: 1, epoch: 0, loss: 4.5, lr: 1e-6, logit_scale: 14.28, samples_per_s: 100.5, data_wait_s: 0.01 });
  // visible to a reader before close: nothing is held back in a buffer
  assert.equal(readMetrics(path).length, 1);
  log.write({ step: 2, epoch: 0, loss: NaN, lr: 2e-6 });
  log.close();
  const recs = readMetrics(path);
  assert.equal(recs.length, 2);
  assert.equal(recs[0]!.loss, 4.5);
  assert.equal(typeof recs[0]!.time, "number");
  assert.equal(recs[1]!.loss, "NaN");
  assert.throws(() => log.write({ step: 3, epoch: 0 }), /closed/);
});

test("metrics JSONL across a resume: steps after the checkpoint and a torn last line are dropped", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "metrics.jsonl");
  const first = MetricsLog.open(path);
  for (let s = 1; s <= 7; s++) first.write({ step: s, epoch: 0, loss: 10 - s });
  first.close();
  appendFileSync(path, '{"step": 8, "epoch": 0, "lo'); // killed mid-write
  const resumed = MetricsLog.open(path, { resumeStep: 5 }); // the last checkpoint held 5 steps
  resumed.write({ step: 6, epoch: 0, loss: 3.9 });
  resumed.close();
  assert.deepEqual(readMetrics(path).map((r) => [r.step, r.loss]), [[1, 9], [2, 8], [3, 7], [4, 6], [5, 5], [6, 3.9]]);
  assert.ok(readFileSync(path, "utf8").endsWith("\n"));
  // reopening without a resume step keeps everything complete
  MetricsLog.open(path).close();
  assert.equal(readMetrics(path).length, 6);
});

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WritableStream & { isTTY: boolean; chunks: string[] };
}

test("progress: a redrawn bar with rate and ETA on a TTY, plain periodic lines otherwise", () => {
  let now = 0;
  const tty = sink(true);
  const bar = new TrainProgress({ total: 100, stream: tty, now: () => now });
  bar.update({ step: 0, epoch: 0 });
  now = 10;
  bar.update({ step: 20, epoch: 0, loss: 3.14159, lr: 5e-4, samplesPerSec: 64 });
  bar.finish();
  const last = tty.chunks.at(-2)!;
  assert.ok(last.startsWith("\r[####"), last);
  assert.match(last, /step 20\/100 \(20\.0%\), epoch 0, loss 3\.1416, lr 5\.00e-4, 64\.0 samples\/s, 2\.00 steps\/s, elapsed 10s, ETA 40s/);
  assert.equal(tty.chunks.at(-1), "\n");

  now = 0;
  const file = sink(false);
  const lines = new TrainProgress({ total: 10, stream: file, everySeconds: 30, now: () => now });
  lines.update({ step: 1, epoch: 0 });
  now = 5;
  lines.update({ step: 2, epoch: 0 }); // within 30 s of the last line: not printed
  now = 40;
  lines.update({ step: 3, epoch: 0 });
  now = 41;
  lines.update({ step: 10, epoch: 1 }); // the last step always prints
  lines.finish();
  assert.equal(file.chunks.length, 3);
  for (const c of file.chunks) assert.ok(c.startsWith("train: step ") && c.endsWith("\n") && !c.includes("\r"));
  assert.equal(formatDuration(3725), "1h02m");
  assert.equal(formatDuration(Infinity), "?");
});
