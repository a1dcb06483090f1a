/**
 * A zero-byte or corrupt image member in a WebDataset shard is replaced and counted like a bad image in a CSV
 * dataset, with in-thread decoding and with workers, and a resume from the batch that holds it sees the same batch.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { setNumThreads } from "../../src/engine/index.js";
import { createDecoder, trainTransform } from "../../src/image/index.js";
import { ClipTokenizer, readMergesFile } from "../../src/tokenizer/index.js";
import { BadSamples } from "../../src/train/data/bad_samples.js";
import { openTrainData } from "../../src/train/data/index.js";
import { TrainLoader } from "../../src/train/loader/index.js";
import { tempDir, writeTar } from "./data_fixtures.js";
import { tinyData } from "./trainer_fixtures.js";

setNumThreads(1);

const key = (i: number) => String(i).padStart(9, "0");
const BAD = new Map([[2, Buffer.alloc(0)], [5, Buffer.from("\xff\xd8\xff\xe0 not really a jpeg", "latin1")]]);

test("zero-byte and corrupt shard images are skipped and counted, with and without workers; resume agrees", async (t) => {
  const dir = await tempDir(t);
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer();
  const members = [];
  for (let i = 0; i < 12; i++) members.push({ name: `${key(i)}.jpg`, data: BAD.get(i) ?? png }, { name: `${key(i)}.txt`, data: `a red square ${i}` });
  await writeTar(join(dir, "00000.tar"), members);
  const merges = (await tinyData(t)).merges;
  const run = async (workers: number, from: number) => {
    const bad = new BadSamples({ log: () => undefined });
    const data = await openTrainData({ format: "wds", shards: join(dir, "00000.tar"), shuffleBuffer: 0 }, { rank: 0, world: 1, batchSize: 4, seed: 1, bad });
    const decoder = createDecoder({ workers });
    try {
      const loader = new TrainLoader({
        data, decoder, tokenizer: new ClipTokenizer(readMergesFile(merges), { contextLength: 8 }), contextLength: 8, seed: 1,
        transform: trainTransform({ size: 16, normalize: "imagenet" }), text: { mode: "clip", seed: 1 },
      });
      const out = [];
      for await (const b of loader.epoch({ epoch: 0, step: from })) {
        out.push({ indices: [...b.indices], replaced: b.replaced, pixels: b.images.toTypedArray() as Float32Array });
        b.dispose();
      }
      return { out, counts: bad.counts() };
    } finally {
      await decoder.close();
      await data.close();
    }
  };
  const inline = await run(0, 0);
  assert.equal(inline.out.length, 3);
  const replaced = inline.out.reduce((s, b) => s + b.replaced, 0);
  assert.ok(replaced >= 2, `replaced ${replaced}`);
  assert.equal(inline.counts.undecodable_image, replaced);
  for (const b of inline.out) for (const i of b.indices) assert.ok(!BAD.has(i), `slot holds bad sample ${i}`);
  const pooled = await run(1, 0);
  assert.deepEqual(pooled.out.map((b) => b.indices), inline.out.map((b) => b.indices));
  assert.deepEqual(pooled.counts, inline.counts);
  const resumed = await run(0, 1); // step 1 holds sample 5
  assert.deepEqual(resumed.out, inline.out.slice(1));
});
