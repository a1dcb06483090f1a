import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { InputItem } from "../../src/rewrite/io/input_item.js";
import { jsonlSource } from "../../src/rewrite/io/jsonl_reader.js";
import { detectFormat, openInput } from "../../src/rewrite/io/open_input.js";
import { textSource } from "../../src/rewrite/io/text_reader.js";
import { collect, tempDir } from "./job_fixtures.js";

test("text: every line is a slot, empty lines included; CRLF and a missing final newline are handled", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "c.txt");
  await writeFile(path, "a dog\r\n\nthe cat sits\nlast one");
  const items = (await collect(textSource(path))) as InputItem[];
  assert.deepEqual(items.map((i) => i.record), [
    { index: 0, id: "0", caption: "a dog" },
    { index: 1, id: "1", caption: "" },
    { index: 2, id: "2", caption: "the cat sits" },
    { index: 3, id: "3", caption: "last one" },
  ]);
  assert.deepEqual(items.map((i) => i.where.line), [1, 2, 3, 4]);
});

test("text: a non-UTF-8 line is a placeholder that names its line, and the next lines keep their index", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "bad.txt");
  await writeFile(path, Buffer.concat([Buffer.from("one\ntwo\n"), Buffer.from([0x66, 0xff, 0xfe, 0x0a]), Buffer.from("four \uFFFD ok\n")]));
  const items = (await collect(textSource(path))) as InputItem[];
  assert.equal(items.length, 4);
  assert.equal(items[2]!.record.caption, "");
  assert.match(items[2]!.problem!.message, /bad\.txt, line 3, byte 8: .*not valid UTF-8/);
  // a real U+FFFD in valid UTF-8 is text, not an error
  assert.equal(items[3]!.problem, undefined);
  assert.equal(items[3]!.record.caption, "four \uFFFD ok");
  assert.equal(items[3]!.record.index, 3);
});

test("jsonl: caption and id keys, blank lines take no slot, broken lines keep theirs", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "c.jsonl");
  const lines = [
    JSON.stringify({ key: "k0", text: "first caption" }),
    "",
    JSON.stringify({ key: 17, text: "second" }),
    '{"key": "k2", "text": "unterminated',
    JSON.stringify({ key: "k3", text: null }),
    JSON.stringify({ key: "k4", other: "x" }),
    "[1,2]",
    JSON.stringify({ key: "k6", text: "last" }),
  ];
  await writeFile(path, lines.join("\n") + "\n\n");
  const items = (await collect(jsonlSource(path, "text", "key"))) as InputItem[];
  assert.deepEqual(items.map((i) => [i.record.index, i.record.id, i.record.caption, i.problem === undefined]), [
    [0, "k0", "first caption", true],
    [1, "17", "second", true],
    [2, "2", "", false],
    [3, "k3", "", true],
    [4, "k4", "", false],
    [5, "5", "", false],
    [6, "k6", "last", true],
  ]);
  assert.match(items[2]!.problem!.message, /c\.jsonl, line 4: not valid JSON/);
  assert.match(items[4]!.problem!.message, /line 6: caption key 'text' is missing/);
  assert.match(items[5]!.problem!.message, /line 7: the line is not a JSON object/);
});

test("format detection goes by extension and directory", async (t) => {
  const dir = await tempDir(t);
  for (const name of ["a.txt", "b.csv", "c.tsv", "d.jsonl", "e.parquet", "f.tar", "g.dat"]) await writeFile(join(dir, name), "");
  assert.equal(await detectFormat([join(dir, "a.txt")]), "text");
  assert.equal(await detectFormat([join(dir, "c.tsv")]), "csv");
  assert.equal(await detectFormat([join(dir, "d.jsonl")]), "jsonl");
  assert.equal(await detectFormat([join(dir, "e.parquet")]), "parquet");
  assert.equal(await detectFormat([join(dir, "f.tar")]), "wds");
  assert.equal(await detectFormat([dir]), "wds");
  assert.equal(await detectFormat([join(dir, "{0..1}.tar")]), "wds");
  await assert.rejects(detectFormat([join(dir, "g.dat")]), /pass --format/);
  await assert.rejects(openInput({ paths: [join(dir, "missing.txt")], format: "text" }), /input file not found/);
});
