import { test } from "node:test";
import assert from "node:assert/strict";
import { open } from "node:fs/promises";
import { buildRecordIndex, readRecord } from "../../src/train/data/record_index.js";
import { parseCsvRecord } from "../../src/io/csv/index.js";
import { Rng } from "../../src/util/rng.js";
import { put, tempDir } from "./data_fixtures.js";

function randomField(rng: Rng): string {
  const alphabet = ['a', 'b', ' ', ',', '"', '\n', 'é', '猫', 'x'];
  return Array.from({ length: rng.int(12) }, () => alphabet[rng.int(alphabet.length)]).join("");
}

/** Python's csv writer rule (QUOTE_MINIMAL): quote a field holding a comma, quote or newline, double its quotes. */
const encode = (f: string) => (/[",\n]/.test(f) || f.startsWith(" ") ? `"${f.replaceAll('"', '""')}"` : f);

test("CSV offset index: every row reads back exactly, for many chunk sizes and strides", async (t) => {
  const dir = await tempDir(t);
  const rng = new Rng(11);
  const rows = Array.from({ length: 120 }, (_, i) => [`img/${i}.jpg`, randomField(rng), randomField(rng)]);
  const file = await put(dir, "r.csv", rows.map((r) => r.map(encode).join(",")).join("\n") + "\n");
  const fh = await open(file, "r");
  t.after(() => fh.close());
  for (const chunkBytes of [1, 5, 4096]) {
    for (const stride of chunkBytes === 1 ? [7] : [1, 2, 7, 64]) {
      const index = await buildRecordIndex(file, { splitter: "csv", stride, chunkBytes, keep: (r) => r.length > 0 });
      assert.equal(index.count, rows.length);
      assert.equal(index.starts.length, Math.ceil(rows.length / stride));
      for (const i of [0, 1, stride - 1, stride, 60, 119]) {
        if (i >= rows.length) continue;
        const rec = (await readRecord(index, fh, i)).toString("utf8");
        assert.deepEqual(parseCsvRecord(rec), rows[i], `row ${i}, chunk ${chunkBytes}, stride ${stride}`);
      }
    }
  }
});

test("line index counts lines as Python's readlines does and reads any line", async (t) => {
  const dir = await tempDir(t);
  const lines = ["first", "", "third", "  ", "fifth 猫"];
  const withTail = await put(dir, "a.txt", lines.join("\n")); // last line has no newline: still a line
  const withNl = await put(dir, "b.txt", lines.join("\n") + "\n");
  const empty = await put(dir, "c.txt", "");
  for (const file of [withTail, withNl]) {
    const fh = await open(file, "r");
    try {
      for (const stride of [1, 2, 3]) {
        const index = await buildRecordIndex(file, { splitter: "lines", stride, chunkBytes: 3 });
        assert.equal(index.count, 5);
        for (let i = 4; i >= 0; i--) assert.equal((await readRecord(index, fh, i)).toString("utf8"), lines[i]);
        await assert.rejects(readRecord(index, fh, 5), RangeError);
      }
    } finally {
      await fh.close();
    }
  }
  assert.equal((await buildRecordIndex(empty, { splitter: "lines" })).count, 0);
});

test("a file changed after indexing is reported, not misread", async (t) => {
  const dir = await tempDir(t);
  const file = await put(dir, "a.txt", "one\ntwo\nthree\n");
  const index = await buildRecordIndex(file, { splitter: "lines", stride: 2 });
  await put(dir, "a.txt", "one\n");
  const fh = await open(file, "r");
  t.after(() => fh.close());
  await assert.rejects(readRecord(index, fh, 2), /changed since it was indexed/);
});
