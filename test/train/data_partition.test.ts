import { test } from "node:test";
import assert from "node:assert/strict";
import { MapStyleData } from "../../src/train/data/map_data.js";
import { BadSamples } from "../../src/train/data/bad_samples.js";
import { SampleError } from "../../src/train/data/sample_error.js";
import { CsvSource } from "../../src/train/data/csv_source.js";
import type { IndexedSource } from "../../src/train/data/indexed_source.js";
import type { Sample, TrainData } from "../../src/train/data/types.js";
import { ConfigError } from "../../src/errors/config_error.js";
import { put, tempDir } from "./data_fixtures.js";

/** Rows 0..size-1 in memory; rows in `broken` fail like a missing image. */
function memorySource(size: number, broken = new Set<number>()): IndexedSource {
  return {
    file: "mem.csv",
    size,
    async read(index: number): Promise<Sample> {
      if (broken.has(index)) throw new SampleError("missing_image", "mem.csv", "gone", { row: index, key: `k${index}` });
      return { index, key: `k${index}`, image: { kind: "path", path: `/x/${index}.jpg` }, texts: [`t ${index}`], sources: ["original"] };
    },
    async close() {},
  };
}

async function epochIndices(data: TrainData, epoch: number, step = 0): Promise<number[][]> {
  const out: number[][] = [];
  for await (const b of data.batches({ epoch, step })) {
    assert.equal(b.step, step + out.length);
    assert.deepEqual(b.next, { epoch, step: b.step + 1 });
    out.push(b.samples.map((s) => s.index));
  }
  return out;
}

const quiet = () => new BadSamples({ log: () => {} });

test("rank partitions are disjoint and, with the dropped tail, complete for W = 1..4", async () => {
  const N = 29, B = 3;
  for (let W = 1; W <= 4; W++) {
    for (const tail of ["drop", "pad"] as const) {
      const perRank: number[][][] = [];
      for (let r = 0; r < W; r++) {
        perRank.push(await epochIndices(new MapStyleData(memorySource(N), { rank: r, world: W, batchSize: B, seed: 5, tail }), 2));
      }
      const steps = tail === "drop" ? Math.floor(N / (W * B)) : Math.ceil(N / (W * B));
      for (const batches of perRank) {
        assert.equal(batches.length, steps, `W=${W} ${tail}: every rank runs the same number of steps`);
        for (const b of batches) assert.equal(b.length, B);
      }
      const all = perRank.flat(2);
      if (tail === "drop") {
        assert.equal(new Set(all).size, all.length, `W=${W}: no row on two ranks or twice`);
        assert.equal(all.length, steps * W * B);
      } else {
        assert.equal(new Set(all).size, N, `W=${W} pad: every row is seen`);
      }
    }
  }
});

test("the drop tail is the last N mod W*B rows of the epoch order and changes every epoch", async () => {
  const N = 29, B = 3, W = 2;
  const seen = async (epoch: number) => new Set((await Promise.all([0, 1].map((r) => epochIndices(new MapStyleData(memorySource(N), { rank: r, world: W, batchSize: B, seed: 5 }), epoch)))).flat(2));
  const missing = async (epoch: number) => [...Array(N).keys()].filter((i) => !(seen_[epoch]!.has(i)));
  const seen_ = [await seen(0), await seen(1)];
  assert.equal((await missing(0)).length, N % (W * B));
  assert.notDeepEqual(await missing(0), await missing(1));
});

test("the global batch of a step is the same rows whatever the world size (same W*B)", async () => {
  const N = 50;
  const globalSteps = async (W: number, B: number) => {
    const ranks = await Promise.all([...Array(W).keys()].map((r) => epochIndices(new MapStyleData(memorySource(N), { rank: r, world: W, batchSize: B, seed: 9 }), 0)));
    return ranks[0]!.map((_, s) => ranks.flatMap((rk) => rk[s]!).sort((a, b) => a - b));
  };
  const one = await globalSteps(1, 12);
  assert.deepEqual(await globalSteps(2, 6), one);
  assert.deepEqual(await globalSteps(4, 3), one);
});

test("seeded order: same seed and epoch give the same order, another epoch or seed another", async () => {
  const mk = (seed: number) => new MapStyleData(memorySource(40), { rank: 0, world: 1, batchSize: 4, seed });
  assert.deepEqual(await epochIndices(mk(1), 3), await epochIndices(mk(1), 3));
  assert.notDeepEqual(await epochIndices(mk(1), 3), await epochIndices(mk(1), 4));
  assert.notDeepEqual(await epochIndices(mk(1), 3), await epochIndices(mk(2), 3));
});

test("bad rows are counted, named and replaced deterministically; resume at (epoch, step) gives the same rest", async () => {
  const broken = new Set([3, 7, 8, 20]);
  const mk = (bad: BadSamples) => new MapStyleData(memorySource(30, broken), { rank: 1, world: 2, batchSize: 4, seed: 3, bad });
  const lines: string[] = [];
  const bad = new BadSamples({ log: (l) => lines.push(l) });
  const full = await epochIndices(mk(bad), 1);
  assert.equal(full.length, 3);
  for (const b of full) for (const i of b) assert.ok(!broken.has(i), `broken row ${i} reached a batch`);
  assert.ok(bad.total > 0 && bad.counts().missing_image === bad.total);
  assert.match(lines[0]!, /mem\.csv, row \d+, key 'k\d+': missing_image: gone/);
  const resumed = await epochIndices(mk(quiet()), 1, 1);
  assert.deepEqual(resumed, full.slice(1));
  // a replacement the loader asks for is also a function of the position alone
  const a = mk(quiet()), b = mk(quiet());
  const batchA = await a.batchAt(1, 2), batchB = await b.batchAt(1, 2);
  assert.deepEqual((await a.replace(batchA, 1, "undecodable_image")).index, (await b.replace(batchB, 1, "undecodable_image")).index);
});

test("a dataset smaller than one global batch is a ConfigError naming the batch size", () => {
  assert.throws(() => new MapStyleData(memorySource(5), { rank: 0, world: 2, batchSize: 3, seed: 0 }), (e: unknown) => e instanceof ConfigError && e.key === "train.batch_size");
});

test("a mostly broken dataset stops with an explanation instead of looping", async () => {
  const data = new MapStyleData(memorySource(10, new Set([...Array(10).keys()])), { rank: 0, world: 1, batchSize: 2, seed: 0, bad: quiet(), maxAttempts: 4 });
  await assert.rejects(epochIndices(data, 0), /4 random rows in a row were unusable/);
});

test("resume on a real CSV: the remaining batches match an uninterrupted epoch", async (t) => {
  const dir = await tempDir(t);
  const n = 40;
  const csv = await put(dir, "t.csv", "path,caption\n" + [...Array(n).keys()].map((i) => `${i}.jpg,caption number ${i}`).join("\n"));
  const rw = await put(dir, "rw.txt", [...Array(n).keys()].map((i) => `rewrite ${i}`).join("\n"));
  const open = async () => new MapStyleData(await CsvSource.open({ csv, rewrites: [rw], checkImages: false }), { rank: 0, world: 2, batchSize: 5, seed: 1 });
  const d1 = await open();
  const full: Sample[][] = [];
  for await (const b of d1.batches({ epoch: 0, step: 0 })) full.push(b.samples);
  await d1.close();
  const d2 = await open();
  const rest: Sample[][] = [];
  for await (const b of d2.batches({ epoch: 0, step: 2 })) rest.push(b.samples);
  await d2.close();
  assert.equal(full.length, 4);
  assert.deepEqual(rest, full.slice(2));
  for (const b of full) for (const s of b) assert.deepEqual(s.texts, [`caption number ${s.index}`, `rewrite ${s.index}`]);
});
