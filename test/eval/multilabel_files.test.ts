/**
 * Reading multilabel WebDataset samples: CLIP_benchmark's `npy` targets (any numeric or bool dtype, shape (C,)
 * or (1, C)) and laclip's `cls` index lists give the same 0/1 vectors; every bad target is one error line
 * naming the shard and the sample key.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { npyHeader } from "../../src/io/npy/writer.js";
import { openDatasetSplit, openWdsSplit } from "../../src/eval/index.js";
import { tempDir, writeTar } from "../train/data_fixtures.js";
import { npyVector } from "./multilabel_fixtures.js";
import { NAMES, png } from "./wds_fixtures.js";

type Member = { name: string; data: string | Buffer };

/** A multilabel root holding one shard of samples s0, s1, ... with the given label members. */
async function root(dir: string, name: string, labels: (Member | undefined)[], o: { type?: string; classnames?: boolean } = {}): Promise<string> {
  const r = join(dir, name);
  await mkdir(join(r, "test"), { recursive: true });
  await writeFile(join(r, "dataset_type.txt"), `${o.type ?? "multilabel"}\n`);
  if (o.classnames !== false) await writeFile(join(r, "classnames.txt"), `${NAMES.join("\n")}\n`);
  const img = await png([200, 10, 10]);
  const members = labels.flatMap((m, i) => [{ name: `s${i}.png`, data: img }, ...(m === undefined ? [] : [{ ...m, name: `s${i}.${m.name}` }])]);
  await writeTar(join(r, "test", "0.tar"), members);
  await writeFile(join(r, "test", "nshards.txt"), "1\n");
  return r;
}

const npyOf = (dtype: "bool" | "i64" | "f32", shape: number[], data: ArrayBufferView): Buffer =>
  Buffer.concat([npyHeader({ dtype, shape }), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);

test("npy targets (float32, bool, int64, shape (1, C)) and cls index lists read to the same 0/1 vectors; a zero vector is kept", async (t) => {
  const dir = await tempDir(t);
  const r = await root(dir, "ok", [
    { name: "npy", data: npyVector([1, 0, 0, 1, 0, 0]) },
    { name: "npy", data: npyOf("bool", [6], Uint8Array.from([0, 1, 0, 0, 0, 1])) },
    { name: "npy", data: npyOf("i64", [1, 6], BigInt64Array.from([0n, 0n, 1n, 0n, 1n, 0n])) },
    { name: "cls", data: " 4, 0 3\n" },
    { name: "npy", data: npyVector([0, 0, 0, 0, 0, 0]) },
  ]);
  const opened = await openWdsSplit(r, "test");
  if (opened.kind !== "multilabel") return assert.fail(`opened as ${opened.kind}`);
  assert.deepEqual(opened.set.targets.map((x) => [...x]), [[1, 0, 0, 1, 0, 0], [0, 1, 0, 0, 0, 1], [0, 0, 1, 0, 1, 0], [1, 0, 0, 1, 1, 0], [0, 0, 0, 0, 0, 0]]);
  assert.deepEqual(opened.set.samples.map((s) => s.label), [0, 1, 2, 3, 4]); // each sample's own index
  assert.deepEqual(opened.set.classes.map((c) => c.name), NAMES);
  assert.equal(opened.templates, undefined);
  // through the dataset opener, --classes must cover the same target positions
  const three = join(dir, "three.txt");
  await writeFile(three, "a\nb\nc\n");
  await assert.rejects(openDatasetSplit({ dataset: "wds/ok", root: r, classes: three }, "test"), /--classes .*three\.txt has 3 classes, but the multilabel targets under '.*ok' cover 6; give a class file/);
  const six = join(dir, "six.txt");
  await writeFile(six, "a\nb\nc\nd\ne\nf\n");
  const renamed = await openDatasetSplit({ dataset: "wds/ok", root: r, classes: six }, "test");
  if (renamed.kind !== "multilabel") return assert.fail(`opened as ${renamed.kind}`);
  assert.deepEqual(renamed.set.classes.map((c) => c.name), ["a", "b", "c", "d", "e", "f"]);
});

test("bad multilabel targets: one error line naming the shard and the sample", async (t) => {
  const dir = await tempDir(t);
  const header = npyHeader({ dtype: "f32", shape: [6] });
  const cases: [string, Member | undefined, RegExp][] = [
    ["short", { name: "npy", data: npyVector([1, 0, 0, 0, 0]) }, /'npy' target has shape \(5\), but .*classnames\.txt has 6 classes; the target must be a vector of 6 values 0\/1/],
    ["two", { name: "npy", data: npyVector([0, 2, 0, 0, 0, 0]) }, /'npy' target holds 2 for class 1; every value must be 0 \(absent\) or 1 \(present\)/],
    ["half", { name: "npy", data: npyVector([0, 0, 0.5, 0, 0, 0]) }, /'npy' target holds 0\.5 for class 2/],
    ["matrix", { name: "npy", data: npyOf("f32", [2, 3], new Float32Array(6)) }, /'npy' target has shape \(2, 3\)/],
    ["empty", { name: "npy", data: Buffer.alloc(0) }, /'npy' member is empty; it must be numpy\.save/],
    ["garbage", { name: "npy", data: "0 1 0 1 0 0" }, /'npy' member: not a \.npy array \(11 bytes, no \\x93NUMPY magic\)/],
    ["truncated", { name: "npy", data: Buffer.concat([header, Buffer.alloc(20)]) }, /'npy' member: the \.npy data is 20 bytes; shape \(6\) of '<f4' needs 24/],
    ["text", { name: "cls", data: "red" }, /'cls' holds "red", not a class index; a multilabel 'cls' is class indices/],
    ["negative", { name: "cls", data: "1,-1" }, /'cls' holds "-1", not a class index/],
    ["range", { name: "cls", data: "1,9" }, /class 9 is out of range: .*classnames\.txt has 6 classes \(0\.\.5\); fix the sample's label/],
    ["blank", { name: "cls", data: " \n" }, /'cls' member is empty; give the sample's class indices/],
    ["none", undefined, /sample has no 'npy' or 'cls' member \(its classes\); every sample of this split needs one/],
  ];
  for (const [name, member, want] of cases) {
    const r = await root(dir, name, [{ name: "cls", data: "0" }, member]);
    await assert.rejects(openWdsSplit(r, "test"), (err: Error) => {
      assert.match(err.message, new RegExp(`^${join(r, "test", "0.tar").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, key 's1': `), name);
      assert.match(err.message, want, name);
      assert.ok(!err.message.includes("\n"), `${name}: one line`);
      return true;
    });
  }
  // without classnames.txt the class list is the built-in one, and the message says so
  const builtin = await root(dir, "builtin", [{ name: "cls", data: "7" }], { classnames: false });
  await assert.rejects(openWdsSplit(builtin, "test", { classes: NAMES.slice(0, 3).map((n) => ({ name: n, synonyms: [n] })) }), /class 7 is out of range: the built-in class list has 3 classes/);
  await assert.rejects(openWdsSplit(builtin, "test"), /builtin[/\\]classnames\.txt: missing: a multilabel split needs ROOT\/classnames\.txt/);
  const typo = await root(dir, "typo", [{ name: "cls", data: "0" }], { type: "multi-label" });
  await assert.rejects(openWdsSplit(typo, "test"), /dataset_type\.txt: says "multi-label"; it must be 'retrieval', 'multilabel', or the file absent/);
});
