import assert from "node:assert/strict";
import { readFile, readdir, truncate } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { TarReader } from "../../src/io/tar/reader.js";
import { runRewriteJob } from "../../src/rewrite/job/job.js";
import { mergeShards, shardDirsOf } from "../../src/rewrite/job/merge.js";
import { FakeRewriter, fake, jobConfig, outputs, samples, tempDir, writeTar } from "./job_fixtures.js";

async function members(path: string): Promise<Map<string, Buffer>> {
  const w = await TarReader.open(path);
  const out = new Map<string, Buffer>();
  for await (const m of w.members()) out.set(m.name, Buffer.from(await w.body(m)));
  await w.close();
  return out;
}

async function makeShards(dir: string): Promise<{ input: string; captions: string[][] }> {
  const input = join(dir, "in");
  const captions = [["a dog", "a cat", "a bird"], ["the sea", "a hill"], ["one", "two", "three", "four"], ["solo"]];
  const { mkdir } = await import("node:fs/promises");
  await mkdir(input);
  for (const [k, c] of captions.entries()) await writeTar(join(input, `${String(k).padStart(5, "0")}.tar`), samples(k, c));
  return { input, captions };
}

test("wds: new shards carry the rewrites in .json under open_clip keys; everything else is copied byte for byte", async (t) => {
  const dir = await tempDir(t);
  const { input, captions } = await makeShards(dir);
  const out = join(dir, "out");
  const summary = await runRewriteJob(jobConfig(input, out), async () => new FakeRewriter());
  assert.deepEqual((await readdir(join(out, "shards"))).sort(), ["00000.tar", "00001.tar", "00002.tar", "00003.tar"]);
  assert.equal(summary.openClip?.flags, '--json-text-key "caption;rewrite_alpha;rewrite_beta" --json-text-key-probs 0.3333 0.3333 0.3333');
  for (const [k, caps] of captions.entries()) {
    const name = `${String(k).padStart(5, "0")}.tar`;
    const before = await members(join(input, name));
    const after = await members(join(out, "shards", name));
    assert.deepEqual([...after.keys()], [...before.keys()]);
    for (const [member, body] of before) {
      if (!member.endsWith(".json")) {
        assert.ok(body.equals(after.get(member)!), member);
        continue;
      }
      const j = JSON.parse(after.get(member)!.toString());
      const caption = (JSON.parse(body.toString()) as { caption: string }).caption;
      assert.ok(caps.includes(caption));
      assert.equal(j.rewrite_alpha, fake("alpha", 0, caption));
      assert.equal(j.rewrite_beta, fake("beta", 0, caption));
      assert.equal(j.url, JSON.parse(body.toString()).url);
    }
  }
  assert.deepEqual((await readFile(join(out, "beta.txt"), "utf8")).trim().split("\n"), captions.flat().map((c) => fake("beta", 0, c)));
});

test("wds: sharded by tar, merged, the result equals the unsharded run; a broken tar is skipped consistently", async (t) => {
  const dir = await tempDir(t);
  const { input } = await makeShards(dir);
  // cut tar 1 inside its second sample: its first sample survives, later tars keep counting
  const w = await TarReader.open(join(input, "00001.tar"));
  const ms = [];
  for await (const m of w.members()) ms.push(m);
  await w.close();
  await truncate(join(input, "00001.tar"), ms[4]!.bodyOffset + 3);
  await assert.rejects(runRewriteJob(jobConfig(input, join(dir, "stop")), async () => new FakeRewriter()), /00001\.tar, byte \d+: member '000010001\.txt' needs/);
  const whole = join(dir, "whole");
  const s = await runRewriteJob(jobConfig(input, whole, { onError: "skip" }), async () => new FakeRewriter());
  assert.equal(s.captions, 9);
  assert.equal(s.inputBreaks, 1);
  const root = join(dir, "sharded");
  for (let index = 0; index < 3; index++) {
    const rw = new FakeRewriter();
    await runRewriteJob(jobConfig(input, root, { onError: "skip", shard: { index, count: 3 } }), async () => rw);
  }
  const shardTars = await Promise.all(shardDirsOf(root, 3).map((d) => readdir(join(d, "shards"))));
  assert.deepEqual(shardTars, [["00000.tar", "00003.tar"], ["00001.tar"], ["00002.tar"]]);
  await mergeShards(root, shardDirsOf(root, 3));
  assert.deepEqual(await outputs(root, ["alpha.txt", "beta.txt", "rewrites.jsonl"]), await outputs(whole, ["alpha.txt", "beta.txt", "rewrites.jsonl"]));
  for (const name of ["00000.tar", "00001.tar", "00002.tar", "00003.tar"]) {
    assert.ok((await readFile(join(root, "shards", name))).equals(await readFile(join(whole, "shards", name))), name);
  }
  assert.equal((await members(join(whole, "shards", "00001.tar"))).size, 3);
});
