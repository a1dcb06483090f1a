import assert from "node:assert/strict";
import { readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { InputEvent, InputItem, InputLoss } from "../../src/rewrite/io/input_item.js";
import { expandBraces, listTars } from "../../src/rewrite/io/tar_list.js";
import { TarReader } from "../../src/io/tar/reader.js";
import { wdsSource } from "../../src/rewrite/io/wds_reader.js";
import { collect, samples, tempDir, writeTar } from "./job_fixtures.js";

const items = (evs: InputEvent[]) => evs.filter((e): e is InputItem => "record" in e);
const losses = (evs: InputEvent[]) => evs.filter((e): e is InputLoss => "loss" in e);

async function threeTars(dir: string): Promise<string[]> {
  await writeTar(join(dir, "00000.tar"), samples(0, ["a dog on grass", "red car", "two cats", "the sea at night"]));
  await writeTar(join(dir, "00001.tar"), samples(1, ["a tall tower", "green field", "snow"]));
  await writeTar(join(dir, "00002.tar"), samples(2, ["last but one", "the very last"]));
  return listTars([dir]);
}

test("brace patterns and directories give the sorted tar list", async (t) => {
  assert.deepEqual(expandBraces("s/{000..002}.tar"), ["s/000.tar", "s/001.tar", "s/002.tar"]);
  assert.deepEqual(expandBraces("{a,b{1..2}}.tar"), ["a.tar", "b1.tar", "b2.tar"]);
  const dir = await tempDir(t);
  const tars = await threeTars(dir);
  assert.deepEqual(await listTars([join(dir, "{00002,00000}.tar"), join(dir, "00001.tar")]), tars);
  await assert.rejects(listTars([join(dir, "{00000..00003}.tar")]), /tar file not found: .*00003\.tar/);
});

test("wds: captions from .txt, keys as ids, samples numbered across the sorted tars", async (t) => {
  const dir = await tempDir(t);
  const tars = await threeTars(dir);
  const got = items(await collect(wdsSource(tars)));
  assert.deepEqual(got.map((i) => [i.record.index, i.record.id, i.record.caption, i.tar]), [
    [0, "000000000", "a dog on grass", 0],
    [1, "000000001", "red car", 0],
    [2, "000000002", "two cats", 0],
    [3, "000000003", "the sea at night", 0],
    [4, "000010000", "a tall tower", 1],
    [5, "000010001", "green field", 1],
    [6, "000010002", "snow", 1],
    [7, "000020000", "last but one", 2],
    [8, "000020001", "the very last", 2],
  ]);
});

test("wds: a shard reading only some tars numbers its samples like a full read (header scan, then sizes.json)", async (t) => {
  const dir = await tempDir(t);
  const tars = await threeTars(dir);
  const odd = items(await collect(wdsSource(tars, { owns: (k) => k === 2 })));
  assert.deepEqual(odd.map((i) => i.record.index), [7, 8]);
  await writeFile(join(dir, "sizes.json"), JSON.stringify({ "00000.tar": 4, "00001.tar": 3, "00002.tar": 2 }));
  assert.deepEqual(items(await collect(wdsSource(tars, { owns: (k) => k === 2 }))).map((i) => i.record.index), [7, 8]);
  await writeFile(join(dir, "sizes.json"), JSON.stringify({ "00001.tar": 5 }));
  await assert.rejects(collect(wdsSource(tars, { owns: (k) => k === 1 })), /lists 5 samples for 00001\.tar but it holds 3/);
});

test("wds: a truncated tar reports its byte offset, keeps the samples before the break, and later tars keep counting", async (t) => {
  const dir = await tempDir(t);
  const tars = await threeTars(dir);
  const walker = await TarReader.open(tars[1]!);
  const members = [];
  for await (const m of walker.members()) members.push(m);
  await walker.close();
  // cut inside the second sample's image body
  await truncate(tars[1]!, members[3]!.bodyOffset + 100);
  const evs = await collect(wdsSource(tars));
  assert.deepEqual(items(evs).map((i) => [i.record.index, i.record.caption]).slice(3, 6), [
    [3, "the sea at night"],
    [4, "a tall tower"],
    [5, "last but one"],
  ]);
  const [loss] = losses(evs);
  assert.match(loss!.loss.message, new RegExp(`00001\\.tar, byte ${members[3]!.headerOffset}: member '000010001\\.jpg' needs \\d+ bytes but the file ends first`));
  // a shard that skips the broken tar counts it the same way
  assert.deepEqual(items(await collect(wdsSource(tars, { owns: (k) => k === 2 }))).map((i) => i.record.index), [5, 6]);
});

test("wds: a corrupt header and a non-UTF-8 caption are reported with file, offset and key", async (t) => {
  const dir = await tempDir(t);
  const tars = await threeTars(dir);
  const bytes = await readFile(tars[0]!);
  bytes[512 * 5 + 3] ^= 0x55; // inside a later header's name: the checksum no longer matches
  await writeFile(tars[0]!, bytes);
  await writeTar(tars[2]!, [{ name: "000020000.txt", body: Buffer.from([0x61, 0xc3, 0x28]) }, { name: "000020001.txt", body: "fine" }]);
  const evs = await collect(wdsSource(tars));
  assert.match(losses(evs)[0]!.loss.message, /00000\.tar, byte \d+: header checksum mismatch/);
  const bad = items(evs).find((i) => i.problem);
  assert.match(bad!.problem!.message, /00002\.tar, byte 0, key '000020000': \.txt member is not valid UTF-8/);
  assert.equal(items(evs).at(-1)!.record.caption, "fine");
});

test("wds: long member names (pax / ustar prefix) keep their key", async (t) => {
  const dir = await tempDir(t);
  const deep = `${"d".repeat(120)}/sub/000000007`;
  await writeTar(join(dir, "long.tar"), [{ name: `${deep}.jpg`, body: "x" }, { name: `${deep}.txt`, body: "a long-named sample" }]);
  const got = items(await collect(wdsSource([join(dir, "long.tar")])));
  assert.deepEqual(got.map((i) => [i.record.id, i.record.caption]), [[deep, "a long-named sample"]]);
});
