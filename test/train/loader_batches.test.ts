/**
 * The loader on a real CSV of PNGs: shapes and dtypes per text mode, determinism (fresh loaders, resumed
 * positions, in-thread vs worker decoding), undecodable images replaced and counted, bounded read-ahead, wait time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { setNumThreads } from "../../src/engine/index.js";
import { createDecoder, trainTransform, type ImageDecoder } from "../../src/image/index.js";
import { ClipTokenizer, readMergesFile } from "../../src/tokenizer/index.js";
import { dataSpec } from "../../src/train/config/index.js";
import { openTrainData, type DataPosition, type SampleBatch, type TrainData } from "../../src/train/data/index.js";
import { TrainLoader, textsPerSampleOf, type TrainBatch } from "../../src/train/loader/index.js";
import type { TextAugmentation } from "../../src/train/text_aug.js";
import { tinyConfig, tinyData, type TinyData } from "./trainer_fixtures.js";

// One intra-op thread: on 2 shared cores, 2 OpenMP threads make these tiny ops ~20x slower (docs/train.md).
setNumThreads(1);

interface Opened {
  loader: TrainLoader;
  data: TrainData;
  decoder: ImageDecoder;
  tokenizer: ClipTokenizer;
  close(): Promise<void>;
}

async function open(d: TinyData, o: { mode?: TextAugmentation; workers?: number; wrap?: (d: TrainData) => TrainData; prefetch?: number } = {}): Promise<Opened> {
  const cfg = await tinyConfig(d, "unused", [`text.augment=${o.mode ?? "laclip"}`]);
  const raw = await openTrainData(dataSpec(cfg), { rank: 0, world: 1, batchSize: 4, seed: 3, log: () => {} });
  const data = o.wrap ? o.wrap(raw) : raw;
  const decoder = createDecoder({ workers: o.workers ?? 0 });
  const tokenizer = new ClipTokenizer(readMergesFile(d.merges), { contextLength: 8 });
  const loader = new TrainLoader({
    data, decoder, tokenizer, contextLength: 8, seed: 3, prefetch: o.prefetch,
    transform: trainTransform({ size: 16, normalize: "imagenet" }),
    text: { mode: o.mode ?? "laclip", seed: 3 },
    textsPerSample: await textsPerSampleOf(cfg, data),
  });
  return { loader, data, decoder, tokenizer, close: async () => { await decoder.close(); await raw.close(); } };
}

async function collect(l: TrainLoader, from: DataPosition, end?: number): Promise<{ images: Float32Array; texts: BigInt64Array; b: Omit<TrainBatch, "images" | "texts" | "dispose"> }[]> {
  const out = [];
  for await (const b of l.epoch(from, end)) {
    out.push({ images: b.images.toTypedArray() as Float32Array, texts: b.texts.toTypedArray() as BigInt64Array, b: { ...b } });
    b.dispose();
  }
  return out;
}

test("batches have the model's shapes and dtypes; laclip-mt gives (K+1, B, L) text blocks", async (t) => {
  const d = await tinyData(t);
  for (const mode of ["clip", "laclip", "laclip-mt"] as const) {
    const o = await open(d, { mode });
    try {
      let n = 0;
      for await (const b of o.loader.epoch({ epoch: 0, step: 0 })) {
        assert.deepEqual(b.images.shape, [4, 3, 16, 16]);
        assert.equal(b.images.dtype, "f32");
        assert.deepEqual(b.texts.shape, mode === "laclip-mt" ? [3, 4, 8] : [4, 8]);
        assert.equal(b.texts.dtype, "i64");
        assert.deepEqual(b.position, { epoch: 0, step: n + 1 });
        const rows = b.texts.reshape(-1, 8).toArray() as number[][];
        for (const r of rows) assert.equal(r[0], o.tokenizer.sotId, "every text starts with SOT");
        if (mode === "laclip-mt") {
          // text batch 0 is every sample's original caption, in slot order
          const originals = b.texts.select(0, 0).toArray() as number[][];
          assert.deepEqual(originals, b.indices.map((i) => [...o.tokenizer.encode(d.captions[i]!, 8)]));
        }
        b.dispose();
        n += 1;
      }
      assert.equal(n, 4, "16 samples / batch 4");
    } finally {
      await o.close();
    }
  }
});

test("the same position gives the same bytes: fresh loaders, a resumed start, and worker vs in-thread decoding", async (t) => {
  const d = await tinyData(t);
  const a = await open(d);
  const b = await open(d, { workers: 1 });
  try {
    const full = await collect(a.loader, { epoch: 1, step: 0 });
    const again = await collect(a.loader, { epoch: 1, step: 0 });
    const pooled = await collect(b.loader, { epoch: 1, step: 0 });
    const resumed = await collect(a.loader, { epoch: 1, step: 2 });
    assert.equal(full.length, 4);
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(again[i]!.images, full[i]!.images);
      assert.deepEqual(again[i]!.texts, full[i]!.texts);
      assert.deepEqual(pooled[i]!.images, full[i]!.images, "workers decode the same crops");
    }
    assert.deepEqual(resumed.map((r) => r.b.indices), full.slice(2).map((r) => r.b.indices));
    assert.deepEqual(resumed[0]!.images, full[2]!.images);
    assert.deepEqual(resumed[1]!.texts, full[3]!.texts);
    const other = await collect(a.loader, { epoch: 2, step: 0 });
    assert.notDeepEqual(other.map((r) => r.b.indices), full.map((r) => r.b.indices), "another epoch, another order");
  } finally {
    await a.close();
    await b.close();
  }
});

test("undecodable images are replaced by the data's deterministic stand-ins and counted, never thrown", async (t) => {
  const d = await tinyData(t, { broken: [1, 5, 10] });
  const runs = [];
  for (let r = 0; r < 2; r++) {
    const o = await open(d, { workers: r });
    try {
      const batches = await collect(o.loader, { epoch: 0, step: 0 });
      const replaced = batches.reduce((s, x) => s + x.b.replaced, 0);
      // each broken row once, plus any replacement that drew a broken row in turn
      assert.ok(replaced >= 3, `replaced ${replaced}`);
      assert.equal(o.data.bad.counts().undecodable_image, replaced);
      for (const x of batches) {
        assert.equal(x.b.indices.length, 4);
        for (const i of x.b.indices) assert.ok(!d.broken.includes(i), `slot holds broken row ${i}`);
        assert.ok(x.images.every(Number.isFinite));
      }
      runs.push(batches.map((x) => x.b.indices));
    } finally {
      await o.close();
    }
  }
  assert.deepEqual(runs[0], runs[1], "the same replacements with and without workers");
});

/** A TrainData whose batches take `delayMs` each and which records how far ahead it has been read. */
function slowData(inner: TrainData, delayMs: number, pulled: number[]): TrainData {
  return {
    get bad() { return inner.bad; },
    get size() { return inner.size; },
    get stepsPerEpoch() { return inner.stepsPerEpoch; },
    replace: (b: SampleBatch, slot: number, reason: string, attempt?: number) => inner.replace(b, slot, reason, attempt),
    close: () => inner.close(),
    async *batches(from: DataPosition) {
      for await (const b of inner.batches(from)) {
        await new Promise((r) => setTimeout(r, delayMs));
        pulled.push(b.step);
        yield b;
      }
    },
  };
}

test("read-ahead stays within the prefetch depth, and a slow source shows up as wait time", async (t) => {
  const d = await tinyData(t, { n: 32 });
  const pulled: number[] = [];
  const o = await open(d, { prefetch: 2, wrap: (x) => slowData(x, 40, pulled) });
  try {
    const seen: number[] = [];
    let waited = 0;
    for await (const b of o.loader.epoch({ epoch: 0, step: 0 })) {
      seen.push(b.step);
      waited += b.waitSeconds;
      // the batch in hand plus at most 2 prepared or in preparation
      assert.ok(pulled.length <= seen.length + 2, `read ${pulled.length} batches with ${seen.length} consumed`);
      await new Promise((r) => setTimeout(r, 5));
      b.dispose();
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.ok(waited > 0.1, `a 40 ms/batch source consumed at 5 ms/batch must make the trainer wait (waited ${waited}s)`);
    pulled.length = 0;
    const early = [];
    for await (const b of o.loader.epoch({ epoch: 0, step: 0 }, 3)) {
      early.push(b.step);
      b.dispose();
    }
    assert.deepEqual(early, [0, 1, 2], "an end step stops the epoch there");
    assert.ok(pulled.length <= 3, `nothing is read past the end step (read ${pulled.length})`);
  } finally {
    await o.close();
  }
});
