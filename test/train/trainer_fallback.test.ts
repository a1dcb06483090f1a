/**
 * A run whose newest checkpoints are broken resumes from the newest usable one and says which it passed over
 * and why: a truncated weights file, NaN weights. A checkpoint holding NaN weights is never named as the last
 * good one when a loss goes non-finite.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setNumThreads } from "../../src/engine/index.js";
import { readSafetensors, writeSafetensors } from "../../src/io/index.js";
import { CHECKPOINTS_DIR, CheckpointError, NonFiniteLossError, newestValidCheckpoint, nonFiniteTensor, train } from "../../src/train/trainer/index.js";
import { tinyConfig, tinyData } from "./trainer_fixtures.js";

setNumThreads(1);

/** Rewrites `dir`/model.safetensors with one NaN in its first float tensor. */
async function poison(dir: string): Promise<void> {
  const file = join(dir, "model.safetensors");
  const { tensors, metadata } = await readSafetensors(file);
  const [name, t] = [...tensors].find(([, x]) => x.dtype === "f32")!;
  const data = new Float32Array(t.data.slice().buffer);
  data[0] = NaN;
  tensors.set(name, { ...t, data: new Uint8Array(data.buffer) });
  await writeSafetensors(file, tensors, { metadata });
}

const step = (n: number) => `step-${String(n).padStart(8, "0")}`;

test("resume skips a truncated and a NaN checkpoint, names both, and continues from the newest usable one", async (t) => {
  const d = await tinyData(t); // 16 samples, batch 4: 4 steps per epoch
  const out = join(d.dir, "run");
  const cfg = await tinyConfig(d, out, ["train.epochs=2", "checkpoint.every_steps=2"]);
  await train(cfg, { merges: d.merges, log: () => {}, keepCheckpoints: 10 });
  const root = join(out, CHECKPOINTS_DIR);
  assert.deepEqual((await readdir(root)).sort(), [step(2), step(4), step(6), step(8)]);
  const model8 = join(root, step(8), "model.safetensors");
  await truncate(model8, (await readFile(model8)).length - 100);
  await poison(join(root, step(6)));

  const lines: string[] = [];
  const again = await tinyConfig(d, out, ["train.epochs=2", "checkpoint.every_steps=2"]);
  const r = await train(again, { merges: d.merges, log: (l) => lines.push(l), keepCheckpoints: 10 });
  const text = lines.join("\n");
  assert.match(text, new RegExp(`skipping checkpoint .*${step(8)}: model\\.safetensors cannot be read`));
  assert.match(text, new RegExp(`skipping checkpoint .*${step(6)}: its weights hold NaN or infinite values`));
  assert.match(text, new RegExp(`resuming from the newest usable checkpoint instead: .*${step(4)}`));
  assert.equal(r.resumedFrom, join(root, step(4)));
  assert.equal(r.step, 8, "the run is redone from step 4 to its end");
  assert.equal((await newestValidCheckpoint(out))!.dir, join(root, step(8)), "the redone step 8 is whole");

  // nothing usable at all: an error naming every reason, not a silent fresh start
  for (const s of [2, 4, 6, 8]) await poison(join(root, step(s)));
  await assert.rejects(train(again, { merges: d.merges, log: () => {} }), (err: unknown) =>
    err instanceof CheckpointError && /no checkpoint here can be continued from/.test(err.message) && /checkpoint\.resume=never/.test(err.message));
});

test("a non-finite loss never names a checkpoint with non-finite weights as the last good one", async (t) => {
  const d = await tinyData(t);
  const out = join(d.dir, "run");
  // lr beyond the float range: the first update makes the weights infinite/NaN while its loss was finite, and
  // that step's checkpoint is written; the next loss is NaN
  const cfg = await tinyConfig(d, out, ["optim.lr=1e39", "optim.warmup_steps=0", "checkpoint.every_steps=1"]);
  let error: NonFiniteLossError | undefined;
  await train(cfg, { merges: d.merges, log: () => {}, keepCheckpoints: 10 }).catch((err: unknown) => {
    if (!(err instanceof NonFiniteLossError)) throw err;
    error = err;
  });
  assert.ok(error, "the run stops on the non-finite loss");
  const root = join(out, CHECKPOINTS_DIR);
  const names = (await readdir(root)).filter((n) => n.startsWith("step-")).sort();
  assert.ok(names.length >= 1, "a checkpoint was written before the loss went non-finite");
  const newest = await readSafetensors(join(root, names.at(-1)!, "model.safetensors"));
  assert.notEqual(nonFiniteTensor(newest.tensors), undefined, "the newest checkpoint holds non-finite weights (the case under test)");
  if (error.lastCheckpoint !== undefined) {
    assert.equal(nonFiniteTensor((await readSafetensors(join(error.lastCheckpoint, "model.safetensors"))).tensors), undefined, error.message);
  } else {
    assert.match(error.message, /No checkpoint with finite weights/);
  }
  assert.ok(!error.message.includes(names.at(-1)!), error.message);
});
