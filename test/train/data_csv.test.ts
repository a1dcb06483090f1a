import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { CsvSource } from "../../src/train/data/csv_source.js";
import { SampleError } from "../../src/train/data/sample_error.js";
import { FormatError } from "../../src/errors/format_error.js";
import { put, tempDir } from "./data_fixtures.js";

const CSV = [
  "image,caption",
  'a.jpg,plain caption',
  'b.jpg,"with, a comma"',
  'c.png,"she said ""hi"" twice"',
  'd.jpeg,"two\nlines"',
  "notes.txt,not an image row (LaCLIP skips it)",
  "",
  "e.jpg,",
  "f.jpg",
  "g.jpg,last row without newline",
].join("\n");

const captions = ["plain caption", "with, a comma", 'she said "hi" twice', "two\nlines", "", undefined, "last row without newline"];

async function fixture(t: import("node:test").TestContext) {
  const dir = await tempDir(t);
  for (const f of ["a.jpg", "b.jpg", "c.png", "d.jpeg", "f.jpg", "g.jpg"]) await put(dir, `img/${f}`, "x");
  const csv = await put(dir, "train.csv", CSV);
  const r1 = await put(dir, "chatgpt.txt", captions.map((_, i) => `chatgpt ${i}`).join("\n") + "\n");
  const r2 = await put(dir, "bard.txt", captions.map((_, i) => `bard ${i}\r`).join("\n"));
  return { dir, csv, r1, r2 };
}

for (const stride of [1, 3, 8]) {
  test(`LaCLIP CSV + rewrite files: quoted fields, header and non-image rows skipped, rows aligned (stride ${stride})`, async (t) => {
    const { dir, csv, r1, r2 } = await fixture(t);
    const logs: string[] = [];
    const syncReads = stride !== 3; // both read paths
    const src = await CsvSource.open({ csv, imageRoot: join(dir, "img"), rewrites: [r1, r2], stride, syncReads, log: (l) => logs.push(l) });
    t.after(() => src.close());
    assert.equal(src.size, 7);
    assert.deepEqual(src.sources, ["original", "chatgpt", "bard"]);
    assert.deepEqual(src.skipped, { header: 1, blank: 1, noImageExtension: 1 });
    assert.match(logs.join("\n"), /7 sample rows; not samples: 1 header, 1 without an image extension, 1 blank/);
    // random order of reads, to exercise the offset index rather than a sequential cursor
    for (const i of [6, 0, 3, 2, 1]) {
      const s = await src.read(i);
      assert.equal(s.index, i);
      assert.deepEqual(s.texts, [captions[i], `chatgpt ${i}`, `bard ${i}`]);
      assert.deepEqual(s.image, { kind: "path", path: join(dir, "img", s.key) });
    }
    await assert.rejects(src.read(4), (e: unknown) => e instanceof SampleError && e.reason === "missing_caption" && /row 4, key 'e.jpg'/.test(e.message));
    await assert.rejects(src.read(5), (e: unknown) => e instanceof SampleError && e.reason === "missing_caption" && /no caption column/.test(e.message));
    await assert.rejects(src.read(7), RangeError);
  });
}

test("a missing image file is a missing_image sample error naming the CSV row", async (t) => {
  const dir = await tempDir(t);
  const csv = await put(dir, "t.csv", "a.jpg,one two\nmissing.jpg,three four\n");
  await put(dir, "a.jpg", "x");
  const src = await CsvSource.open({ csv });
  t.after(() => src.close());
  assert.equal((await src.read(0)).texts[0], "one two");
  await assert.rejects(src.read(1), (e: unknown) => e instanceof SampleError && e.reason === "missing_image" && /t\.csv, row 1, key 'missing\.jpg'/.test(e.message));
});

test("a rewrite file with a different line count is an error naming both files and counts", async (t) => {
  const { dir, csv, r1 } = await fixture(t);
  const short = await put(dir, "short.txt", "only\ntwo\n");
  await assert.rejects(
    CsvSource.open({ csv, rewrites: [r1, short], imageRoot: dir }),
    (e: unknown) => e instanceof FormatError && e.message.includes("short.txt") && e.message.includes("has 2 lines") && e.message.includes("train.csv has 7 sample rows"),
  );
  // a trailing blank line is a line to Python's readlines, so it misaligns too
  const extra = await put(dir, "extra.txt", captions.map((_, i) => `x ${i}`).join("\n") + "\n\n");
  await assert.rejects(CsvSource.open({ csv, rewrites: [extra], imageRoot: dir }), /has 8 lines/);
});

test("CRLF CSVs parse like Python's universal newlines; header 'no' keeps a first image row", async (t) => {
  const dir = await tempDir(t);
  const csv = await put(dir, "w.csv", 'x.jpg,"a\r\nb"\r\ny.jpg,c d\r\n');
  const src = await CsvSource.open({ csv, header: "no", checkImages: false });
  t.after(() => src.close());
  assert.equal(src.size, 2);
  assert.deepEqual((await src.read(0)).texts, ["a\nb"]);
  assert.deepEqual((await src.read(1)).texts, ["c d"]);
  assert.equal((await src.read(1)).key, "y.jpg");
});

test("an unterminated quote is a FormatError with the byte offset where it opened", async (t) => {
  const dir = await tempDir(t);
  const csv = await put(dir, "bad.csv", 'a.jpg,ok\nb.jpg,"never closed\nc.jpg,x\n');
  await assert.rejects(CsvSource.open({ csv }), (e: unknown) => e instanceof FormatError && /bad\.csv, byte 15/.test(e.message));
});
