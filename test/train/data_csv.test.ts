import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { CsvSource } from "../../src/train/data/csv_source.js";
import { SampleError } from "../../src/train/data/sample_error.js";
import { FormatError } from "../../src/errors/format_error.js";
import { ConfigError } from "../../src/errors/config_error.js";
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

test("open_clip's CSV: a filepath/title header, tab or comma (detected), named columns in any order", async (t) => {
  const dir = await tempDir(t);
  for (const f of ["a.jpg", "b.jpg"]) await put(dir, f, "x");
  const tsv = await put(dir, "oc.csv", "filepath\ttitle\na.jpg\ta dog, running\nb.jpg\ttwo cats\n");
  const src = await CsvSource.open({ csv: tsv, log: () => undefined });
  t.after(() => src.close());
  assert.equal(src.size, 2);
  assert.deepEqual((await src.read(0)).texts, ["a dog, running"]);
  assert.deepEqual((await src.read(1)).key, "b.jpg");
  const named = await put(dir, "named.csv", 'text,id,img\n"first, caption",1,a.jpg\nsecond,2,b.jpg\n');
  const n = await CsvSource.open({ csv: named, imageKey: "img", captionKey: "text", log: () => undefined });
  t.after(() => n.close());
  assert.deepEqual([(await n.read(0)).texts, (await n.read(1)).key], [["first, caption"], "b.jpg"]);
  await assert.rejects(CsvSource.open({ csv: named, captionKey: "text" }), (e: unknown) => e instanceof ConfigError && e.key === "data.csv_img_key" && /no column 'filepath' in its header \('text', 'id', 'img', split at ','\)/.test(e.message));
  await assert.rejects(CsvSource.open({ csv: tsv, separator: ",", captionKey: "title" }), /no column 'filepath' in its header \('filepath\ttitle', split at ','\)/);
});

test("a caption or rewrite line that is not valid UTF-8 is a bad_text sample, not mojibake", async (t) => {
  const dir = await tempDir(t);
  for (const f of ["a.jpg", "b.jpg", "c.jpg"]) await put(dir, f, "x");
  const csv = await put(dir, "t.csv", Buffer.concat([Buffer.from("a.jpg,fine\nb.jpg,caf"), Buffer.from([0xe9]), Buffer.from("\nc.jpg,also fine\n")]));
  const rw = await put(dir, "rw.txt", Buffer.concat([Buffer.from("r0\nr1\nbad "), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]));
  const src = await CsvSource.open({ csv, rewrites: [rw], log: () => undefined });
  t.after(() => src.close());
  assert.deepEqual((await src.read(0)).texts, ["fine", "r0"]);
  await assert.rejects(src.read(1), (e: unknown) => e instanceof SampleError && e.reason === "bad_text" && /t\.csv, row 1, key 'b\.jpg'.*not valid UTF-8/.test(e.message));
  await assert.rejects(src.read(2), (e: unknown) => e instanceof SampleError && e.reason === "bad_text" && /rw\.txt, row 2, key 'c\.jpg'.*line 3 is not valid UTF-8/.test(e.message));
});
