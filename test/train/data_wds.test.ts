import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile, open } from "node:fs/promises";
import { join } from "node:path";
import { WdsData } from "../../src/train/data/wds_data.js";
import { BadSamples } from "../../src/train/data/bad_samples.js";
import { countShard } from "../../src/train/data/wds_shard.js";
import { TarReader } from "../../src/io/tar/reader.js";
import { expandShards } from "../../src/train/data/braces.js";
import { openTrainData } from "../../src/train/data/open.js";
import { ConfigError } from "../../src/errors/config_error.js";
import { FormatError } from "../../src/errors/format_error.js";
import type { Sample, TrainData } from "../../src/train/data/types.js";
import { fakeJpeg, sampleMembers, tempDir, writeTar } from "./data_fixtures.js";

const SIZES = [7, 5, 6, 4, 8];
const key = (shard: number, i: number) => String(shard * 1000 + i).padStart(9, "0");

/** Five shards; shard 1 has a corrupt .json, a sample without image and one captioned only in its .json. */
async function shards(t: TestContext): Promise<{ dir: string; pattern: string }> {
  const dir = await tempDir(t);
  for (let s = 0; s < SIZES.length; s++) {
    const members = [];
    for (let i = 0; i < SIZES[s]!; i++) members.push(...sampleMembers(key(s, i), `caption of ${key(s, i)}`, { chatgpt: [`cg ${key(s, i)}`], bard: [`bd ${key(s, i)}`] }));
    if (s === 1) {
      const k = key(1, 2);
      const at = members.findIndex((m) => m.name === `${k}.json`);
      members[at] = { name: `${k}.json`, data: '{"rewrites": {"chatgpt": ["trunc' };
      members.push({ name: `${key(1, 50)}.txt`, data: "caption without an image" });
      members.push({ name: `${key(1, 51)}.png`, data: fakeJpeg(key(1, 51)) }, { name: `${key(1, 51)}.json`, data: JSON.stringify({ caption: "json caption only", rewrite_chatgpt: "c x" }) });
    }
    await writeTar(join(dir, `shard-${String(s).padStart(3, "0")}.tar`), members);
  }
  return { dir, pattern: join(dir, "shard-{000..004}.tar") };
}

async function epoch(data: TrainData, e: number, step = 0): Promise<Sample[][]> {
  const out: Sample[][] = [];
  for await (const b of data.batches({ epoch: e, step })) out.push(b.samples);
  return out;
}

const quiet = () => new BadSamples({ log: () => {} });

test("shards are counted from their headers, including a sample captioned only in its json", async (t) => {
  const { dir } = await shards(t);
  assert.deepEqual(await countShard(join(dir, "shard-000.tar")), { count: 7 });
  assert.deepEqual(await countShard(join(dir, "shard-001.tar")), { count: 6 }); // 5 + the png one; the txt-only one has no image
});

test("WDS stream: texts from .txt + json rewrites, bad members counted, skipped and named", async (t) => {
  const { pattern, dir } = await shards(t);
  const lines: string[] = [];
  const bad = new BadSamples({ log: (l) => lines.push(l) });
  const data = await WdsData.open({ shards: expandShards(pattern), rank: 0, world: 1, batchSize: 4, seed: 1, shuffleBuffer: 8, bad });
  assert.equal(data.size, 7 + 6 + 6 + 4 + 8);
  assert.equal(data.stepsPerEpoch, Math.floor(31 / 4));
  const samples = (await epoch(data, 0)).flat();
  const keys = samples.map((s) => s.key);
  assert.equal(new Set(keys).size, keys.length, "no sample twice in one pass");
  assert.ok(!keys.includes(key(1, 2)), "the sample with the corrupt json is skipped");
  assert.equal(bad.counts().bad_json, 1);
  assert.equal(bad.counts().missing_image, 1);
  assert.ok(lines.some((l) => l.includes("shard-001.tar") && l.includes(`key '${key(1, 2)}'`) && l.includes("bad_json")), lines.join("\n"));
  assert.ok(lines.some((l) => l.includes(`key '${key(1, 50)}'`) && l.includes("missing_image")));
  for (const s of samples) {
    assert.equal(s.image.kind, "bytes");
    if (s.image.kind === "bytes") assert.deepEqual(s.image.bytes, fakeJpeg(s.key));
    if (s.key === key(1, 51)) assert.deepEqual(s.texts, ["json caption only", "c x"]);
    else {
      assert.deepEqual(s.texts, [`caption of ${s.key}`, `cg ${s.key}`, `bd ${s.key}`]);
      assert.deepEqual(s.sources, ["original", "chatgpt", "bard"]);
    }
  }
  // indices are global and stable: shard start + ordinal among image samples
  const s4 = samples.find((s) => s.key === key(4, 3));
  if (s4) assert.equal(s4.index, 7 + 6 + 6 + 4 + 3);
  assert.ok(dir);
});

test("a truncated shard is used up to the damage and reported with its name", async (t) => {
  const { dir, pattern } = await shards(t);
  const file = join(dir, "shard-004.tar");
  const bytes = await readFile(file);
  await writeFile(file, bytes.subarray(0, 512 * 20 + 100)); // cuts inside the 4th sample (6 blocks a sample)
  const lines: string[] = [];
  const counted = await countShard(file);
  assert.ok(counted.error instanceof FormatError && counted.count === 3, JSON.stringify(counted));
  const data = await WdsData.open({ shards: expandShards(pattern), rank: 0, world: 1, batchSize: 2, seed: 1, bad: new BadSamples({ log: (l) => lines.push(l) }) });
  assert.equal(data.size, 7 + 6 + 6 + 4 + 3);
  await epoch(data, 0);
  assert.ok(lines.some((l) => l.includes("shard-004.tar") && l.includes("bad_shard") && l.includes("truncated")), lines.join("\n"));
});

test("shards split across ranks: disjoint and complete for W = 1..4; more ranks than shards is an error", async (t) => {
  const { pattern } = await shards(t);
  const list = expandShards(pattern);
  for (let W = 1; W <= 4; W++) {
    const ranks = await Promise.all([...Array(W).keys()].map((r) => WdsData.open({ shards: list, rank: r, world: W, batchSize: 2, seed: 4, bad: quiet() })));
    for (const e of [0, 1]) {
      const owned = ranks.map((d) => d.rankShards(e));
      assert.deepEqual(owned.flat().sort(), [0, 1, 2, 3, 4], `W=${W} epoch ${e}`);
      const batches = await Promise.all(ranks.map((d) => epoch(d, e)));
      for (let r = 0; r < W; r++) {
        assert.equal(batches[r]!.length, Math.floor(31 / (W * 2)), "same number of steps on every rank");
        const mine = new Set(owned[r]!.map((s) => list[s]!));
        for (const s of batches[r]!.flat()) assert.ok(mine.has(s.file!), `rank ${r} read ${s.file}, not one of its shards`);
      }
    }
  }
  await assert.rejects(WdsData.open({ shards: list, rank: 0, world: 6, batchSize: 1, seed: 0 }), (e: unknown) => e instanceof ConfigError && /5 shards cannot feed 6 ranks/.test(e.message));
});

test("a rank whose shards run out starts another pass, so every rank fills every step", async (t) => {
  const { pattern } = await shards(t);
  // 31 samples, W=2, B=7: 2 steps = 14 per rank; a rank with the 4- and 5-sample shards must wrap
  const list = expandShards(pattern);
  for (const r of [0, 1]) {
    const d = await WdsData.open({ shards: list, rank: r, world: 2, batchSize: 7, seed: 2, bad: quiet() });
    const b = await epoch(d, 3);
    assert.equal(b.length, 2);
    for (const x of b) assert.equal(x.length, 7);
  }
});

test("WDS resume at (epoch, step) replays to the same remaining order; epochs differ; replace is seeded", async (t) => {
  const { pattern } = await shards(t);
  const open1 = () => WdsData.open({ shards: expandShards(pattern), rank: 1, world: 2, batchSize: 3, seed: 8, shuffleBuffer: 5, bad: quiet() });
  const full = await epoch(await open1(), 2);
  const rest = await epoch(await open1(), 2, 2);
  assert.equal(full.length, 5);
  assert.deepEqual(rest, full.slice(2));
  assert.notDeepEqual((await epoch(await open1(), 3)).map((b) => b.map((s) => s.key)), full.map((b) => b.map((s) => s.key)));
  const a = await open1(), b = await open1();
  const first = async (d: WdsData) => {
    for await (const batch of d.batches({ epoch: 2, step: 1 })) return batch; // leaving the loop closes the generator
    throw new Error("no batch");
  };
  const [ba, bb] = [await first(a), await first(b)];
  const ra = await a.replace(ba, 0, "undecodable_image"), rb = await b.replace(bb, 0, "undecodable_image");
  assert.equal(ra.key, rb.key);
  assert.notEqual(ra.key, ba.samples[0]!.key);
});

test("openTrainData opens WDS shards from a brace pattern", async (t) => {
  const { pattern } = await shards(t);
  const data = await openTrainData({ format: "wds", shards: pattern, textKeys: ["rewrites.bard"] }, { rank: 0, world: 1, batchSize: 5, seed: 0, bad: quiet() });
  const gen = data.batches({ epoch: 0, step: 0 });
  const b = (await gen.next()).value!;
  await gen.return(undefined);
  assert.equal(b.samples.length, 5);
  for (const s of b.samples) if (s.key !== key(1, 51)) assert.deepEqual(s.sources, ["original", "rewrites.bard"]);
  assert.ok(data instanceof WdsData && (data.missingTextKeys.get("rewrites.bard") ?? 0) <= 1);
});

test("json text keys: the rewrites object form, and missing keys counted once logged", async (t) => {
  const { pattern } = await shards(t);
  const lines: string[] = [];
  const data = await openTrainData({ format: "wds", shards: pattern, textKeys: ["rewrites", "nothere"], shuffleBuffer: 0 }, { rank: 0, world: 1, batchSize: 30, seed: 0, bad: quiet(), log: (l) => lines.push(l) });
  const all = (await epoch(data, 0)).flat();
  const plain = all.find((s) => s.key === key(0, 1))!;
  assert.deepEqual(plain.texts, [`caption of ${key(0, 1)}`, `cg ${key(0, 1)}`, `bd ${key(0, 1)}`]);
  assert.deepEqual(plain.sources, ["original", "chatgpt", "bard"]);
  assert.equal((data as WdsData).missingTextKeys.get("nothere"), 30);
  assert.equal((data as WdsData).missingTextKeys.get("rewrites"), 1); // the json-caption-only sample
  assert.equal(lines.filter((l) => l.includes("no json text key 'nothere'")).length, 1);
});

test("tar walker: long names via pax/ustar prefix, and a corrupt header checksum names the offset", async (t) => {
  const dir = await tempDir(t);
  const long = "d".repeat(90) + "/" + "e".repeat(80) + "/000000001.jpg";
  const file = await writeTar(join(dir, "long.tar"), [{ name: long, data: "img" }, { name: "000000001.txt", data: "cap" }]);
  let tar = await TarReader.open(file);
  const names = [];
  for await (const m of tar.members()) names.push(m.name);
  await tar.close();
  assert.deepEqual(names, [long, "000000001.txt"]);
  const bytes = await readFile(file);
  const second = bytes.indexOf(Buffer.from("000000001.txt"));
  bytes[second + 1] ^= 0xff;
  await writeFile(file, bytes);
  tar = await TarReader.open(file);
  t.after(() => tar.close());
  await assert.rejects(
    (async () => {
      for await (const _ of tar.members()) void _;
    })(),
    (e: unknown) => e instanceof FormatError && e.message.includes(`byte ${second}`) && /checksum/.test(e.message),
  );
});
