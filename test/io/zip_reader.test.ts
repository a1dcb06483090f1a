import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { FormatError } from "../../src/errors/index.js";
import { ZipReader } from "../../src/io/index.js";
import { crc32 } from "../../src/io/zip/crc32.js";
import { writeTemp } from "./helpers/torch_pickle.js";
import { buildZip } from "./helpers/zip_writer.js";

const a = new TextEncoder().encode("hello zip");
const b = randomBytes(5000);

test("crc32 matches the published check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

for (const options of [{}, { align64: true }, { zip64: true }, { comment: "trailing comment" }]) {
  test(`stored and deflated entries read whole and by range (${JSON.stringify(options)})`, async (t) => {
    const path = await writeTemp(t, "z.zip", buildZip([{ name: "d/a", data: a }, { name: "d/b", data: b, deflate: true }, { name: "d/s", data: b }], options));
    const zip = await ZipReader.open(path);
    t.after(() => zip.close());
    assert.deepEqual(zip.names(), ["d/a", "d/b", "d/s"]);
    assert.deepEqual(await zip.read(zip.entry("d/a")!), a);
    assert.deepEqual(Buffer.from(await zip.read(zip.entry("d/b")!)), b);
    assert.equal(zip.entry("d/b")!.method, 8);
    assert.deepEqual(Buffer.from(await zip.readRange(zip.entry("d/s")!, 100, 50)), b.subarray(100, 150));
    assert.deepEqual(Buffer.from(await zip.readRange(zip.entry("d/b")!, 4000, 1000)), b.subarray(4000, 5000));
    await assert.rejects(zip.readRange(zip.entry("d/s")!, 4990, 20), (err: Error) => /key 'd\/s'.*outside/.test(err.message));
  });
}

test("zip defects are FormatErrors naming the file and entry", async (t) => {
  const good = buildZip([{ name: "x/a", data: a }, { name: "x/b", data: b }]);
  const notZip = await writeTemp(t, "n.zip", new TextEncoder().encode("not a zip at all, just text"));
  await assert.rejects(ZipReader.open(notZip), /no zip end-of-central-directory/);

  const truncated = await writeTemp(t, "t.zip", good.subarray(0, good.length - 30));
  await assert.rejects(ZipReader.open(truncated), FormatError);

  // Cut out the middle of the data: the directory survives at the end, but offsets no longer match.
  const holed = Buffer.concat([good.subarray(0, 100), good.subarray(2100)]);
  const holedPath = await writeTemp(t, "h.zip", holed);
  await assert.rejects(ZipReader.open(holedPath), FormatError);

  const corrupt = Buffer.from(good);
  corrupt[30 + 3 + 2] ^= 0xff; // a byte inside x/a's data
  const zip = await ZipReader.open(await writeTemp(t, "c.zip", corrupt));
  t.after(() => zip.close());
  await assert.rejects(zip.read(zip.entry("x/a")!), (err: Error) => err instanceof FormatError && /key 'x\/a'.*CRC-32/.test(err.message));

  const bzip = Buffer.from(good);
  bzip.writeUInt16LE(12, 8); // local header: method 12 (bzip2)
  const central = bzip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  bzip.writeUInt16LE(12, central + 10);
  const z2 = await ZipReader.open(await writeTemp(t, "b.zip", bzip));
  t.after(() => z2.close());
  await assert.rejects(z2.read(z2.entry("x/a")!), /key 'x\/a'.*method 12 is not supported/);

  const dup = await writeTemp(t, "dup.zip", buildZip([{ name: "x/a", data: a }, { name: "x/a", data: a }]));
  await assert.rejects(ZipReader.open(dup), /key 'x\/a'.*twice/);
});

test("entries whose data overlap, or lie past the end of the file, are refused at open", async (t) => {
  const zip = Buffer.from(buildZip([{ name: "x/a", data: new Uint8Array(4096) }, { name: "x/b", data: new Uint8Array(4096) }]));
  const second = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 4);
  const shared = Buffer.from(zip);
  shared.writeUInt32LE(0, second + 42); // x/b's local header offset -> x/a's: both entries over the same bytes
  await assert.rejects(ZipReader.open(await writeTemp(t, "shared.zip", shared)), /key 'x\/a'.*overlaps entry 'x\/b'/);
  const past = Buffer.from(zip);
  past.writeUInt32LE(0x7fff0000, second + 20); // x/b's compressed size
  past.writeUInt32LE(0x7fff0000, second + 24);
  await assert.rejects(ZipReader.open(await writeTemp(t, "past.zip", past)), /key 'x\/b'.*runs past the end of the \d+-byte file/);
});
