import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { parquetWriteFile } from "hyparquet-writer";
import { csvSource } from "../../src/rewrite/io/csv_reader.js";
import type { InputItem } from "../../src/rewrite/io/input_item.js";
import { parquetSource } from "../../src/rewrite/io/parquet_reader.js";
import { textSource } from "../../src/rewrite/io/text_reader.js";
import { collect, tempDir } from "./job_fixtures.js";

const rows = async (path: string, spec = {}) => (await collect(csvSource(path, spec))) as InputItem[];

test("csv: LaCLIP's path,caption with a header, RFC 4180 quoting and multi-line fields", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "train.csv");
  await writeFile(path, 'path,caption\nimg/0.jpg,a plain caption\nimg/1.jpg,"with, a comma and ""quotes"""\r\nimg/2.jpg,"two\nlines"\nimg/3.jpg,5" screen\n');
  const items = await rows(path, { idField: "path" });
  assert.deepEqual(items.map((i) => [i.record.index, i.record.id, i.record.caption, i.where.line]), [
    [0, "img/0.jpg", "a plain caption", 2],
    [1, "img/1.jpg", 'with, a comma and "quotes"', 3],
    [2, "img/2.jpg", "two\nlines", 4],
    [3, "img/3.jpg", '5" screen', 6],
  ]);
  assert.ok(items.every((i) => i.problem === undefined));
});

test("csv: without a header the caption is the second field; TSV by extension; named columns", async (t) => {
  const dir = await tempDir(t);
  const plain = join(dir, "noheader.csv");
  await writeFile(plain, "a.jpg,first\nb.jpg,second\n");
  assert.deepEqual((await rows(plain)).map((i) => i.record.caption), ["first", "second"]);
  const tsv = join(dir, "oc.tsv");
  await writeFile(tsv, "filepath\ttitle\nx.jpg\tone, with comma\ny.jpg\ttwo\n");
  assert.deepEqual((await rows(tsv, { captionField: "title" })).map((i) => i.record.caption), ["one, with comma", "two"]);
  await assert.rejects(rows(tsv, { captionField: "text" }), /no CSV column named 'text' \(its (first row|header) has 'filepath', 'title'\)/);
});

test("csv: malformed rows are placeholders at their line and later rows keep their slots", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "bad.csv");
  const text = [
    "path,caption",
    "0.jpg,good zero",
    '1.jpg,"closed"then text',
    "2.jpg",
    "",
    "4.jpg,good four",
    '5.jpg,"never closed',
    "6.jpg,swallowed",
  ].join("\n");
  await writeFile(path, text + "\n");
  const items = await rows(path);
  assert.deepEqual(items.map((i) => [i.record.index, i.record.caption, i.problem === undefined]), [
    [0, "good zero", true],
    [1, "", false],
    [2, "", false],
    [3, "", false],
    [4, "good four", true],
    [5, "", false],
  ]);
  assert.match(items[1]!.problem!.message, /bad\.csv, line 3: malformed CSV row: text after the closing quote/);
  assert.match(items[2]!.problem!.message, /line 4: .*1 field\(s\); the caption column 'caption' is field 2/);
  assert.match(items[3]!.problem!.message, /line 5: .*0 field/);
  assert.match(items[5]!.problem!.message, /line 7: .*quoted field opened on line 7 is never closed/);
});

test("csv: image-rows-only indexing counts rows as LaCLIP's loader does", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "mixed.csv");
  await writeFile(path, "path,caption\na.jpg,one\nnotes.txt,skipped row\nb.png,two\nc.jpeg,three\n");
  const items = await rows(path, { csvImageRowsOnly: true });
  assert.deepEqual(items.map((i) => [i.record.index, i.record.caption]), [[0, "one"], [1, "two"], [2, "three"]]);
});

test("text reader: lines across the 1 MiB read-chunk boundary come out whole and in order", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "big.txt");
  const lines = Array.from({ length: 30000 }, (_, i) => `caption number ${i} ${"x".repeat(i % 61)}`);
  await writeFile(path, lines.join("\n") + "\n");
  const items = (await collect(textSource(path))) as InputItem[];
  assert.equal(items.length, lines.length);
  assert.ok(items.every((it, i) => it.record.caption === lines[i] && it.record.index === i));
});

test("parquet: row groups read one by one, TEXT column found, ids and null captions", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "laion.parquet");
  const text = ["a red car", null, "two birds", "a map", "", "the sea", "last"];
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: "SAMPLE_ID", data: text.map((_, i) => BigInt(1000 + i)), type: "INT64" },
      { name: "TEXT", data: text, type: "STRING" },
    ],
    rowGroupSize: 3,
  });
  const items = (await collect(parquetSource(path, undefined, "SAMPLE_ID"))) as InputItem[];
  assert.deepEqual(items.map((i) => [i.record.index, i.record.id, i.record.caption]), text.map((c, i) => [i, String(1000 + i), c ?? ""]));
  assert.equal(items[4]!.where.line, 5);
  await assert.rejects(collect(parquetSource(path, "caption")), /no Parquet column 'caption'/);
  const junk = join(dir, "junk.parquet");
  await writeFile(junk, "this is not parquet at all, just text");
  await assert.rejects(collect(parquetSource(junk)), /junk\.parquet: not a readable Parquet file/);
});

test("csv as open_clip writes it: a filepath,title header is recognised (never caption 1), tab detected from the header", async (t) => {
  const dir = await tempDir(t);
  const comma = join(dir, "oc.csv");
  await writeFile(comma, "filepath,title\nx.jpg,a red bus\ny.jpg,two dogs\n");
  assert.deepEqual((await rows(comma)).map((i) => [i.record.index, i.record.caption, i.where.line]), [[0, "a red bus", 2], [1, "two dogs", 3]]);
  const tabs = join(dir, "tabs.csv"); // open_clip's default separator, in a file named .csv
  await writeFile(tabs, "filepath\ttitle\nx.jpg\tone, with comma\ny.jpg\ttwo\n");
  assert.deepEqual((await rows(tabs)).map((i) => i.record.caption), ["one, with comma", "two"]);
  const named = join(dir, "named.csv");
  await writeFile(named, "url\tsummary\tfile\nhttp://a\tfirst one\tx.jpg\n");
  assert.deepEqual((await rows(named, { captionField: "summary", imageField: "file" })).map((i) => i.record.caption), ["first one"]);
  await assert.rejects(rows(named, { captionField: "summary", csvSeparator: "," }), /no CSV column named 'summary' \(its first row has 'url\tsummary\tfile'\)/);
});
