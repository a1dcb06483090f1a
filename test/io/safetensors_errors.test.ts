import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FormatError } from "../../src/errors/index.js";
import { SafetensorsReader, writeSafetensors } from "../../src/io/index.js";
import { tempDir } from "./helpers/torch_pickle.js";

/** A file with the given header JSON (padded to 8) followed by `dataBytes` zero bytes. */
function fileWith(header: unknown, dataBytes: number, lengthOverride?: bigint): Uint8Array {
  let json = typeof header === "string" ? header : JSON.stringify(header);
  while (json.length % 8) json += " ";
  const out = Buffer.alloc(8 + json.length + dataBytes);
  out.writeBigUInt64LE(lengthOverride ?? BigInt(json.length), 0);
  out.write(json, 8, "utf8");
  return out;
}

const ok = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "I64", shape: [1], data_offsets: [8, 16] } };

test("every header defect is a FormatError naming the file and, where there is one, the key", async (t) => {
  const dir = await tempDir(t);
  const cases: [string, Uint8Array, RegExp][] = [
    ["too short", Uint8Array.of(1, 2, 3), /fewer than the 8-byte/],
    ["length past end", fileWith(ok, 16, 4096n), /runs past the end/],
    ["length absurd", fileWith(ok, 16, 2n ** 62n), /exceeds/],
    ["bad json", fileWith("{\"a\": [", 0), /not valid UTF-8 JSON/],
    ["not an object", fileWith("[1,2]", 0), /not an object/],
    ["unknown dtype", fileWith({ x: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, 8), /key 'x'.*'C64' is not supported/],
    ["bad shape", fileWith({ x: { dtype: "U8", shape: [-1], data_offsets: [0, 1] } }, 1), /key 'x'.*shape/],
    ["count mismatch", fileWith({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8), /key 'x'.*holds 8 bytes.*needs 12/],
    ["reversed offsets", fileWith({ x: { dtype: "U8", shape: [0], data_offsets: [4, 0] } }, 4), /key 'x'.*end before/],
    ["gap", fileWith({ x: { dtype: "U8", shape: [4], data_offsets: [4, 8] } }, 8), /key 'x'.*gap/],
    [
      "overlap",
      fileWith({ x: { dtype: "U8", shape: [4], data_offsets: [0, 4] }, y: { dtype: "U8", shape: [4], data_offsets: [2, 6] } }, 6),
      /key 'y'.*overlaps/,
    ],
    ["offsets past end", fileWith(ok, 12), /ends at byte .* but the file has .*past the end/],
    ["trailing bytes", fileWith(ok, 20), /trailing bytes/],
    ["metadata not strings", fileWith({ __metadata__: { n: 1 } }, 0), /key '__metadata__'/],
  ];
  for (const [name, bytes, re] of cases) {
    const path = join(dir, `${name.replace(/ /g, "_")}.safetensors`);
    await writeFile(path, bytes);
    await assert.rejects(SafetensorsReader.open(path), (err: Error) => {
      assert.ok(err instanceof FormatError, `${name}: ${err}`);
      assert.match(err.message, re, name);
      assert.ok(err.message.startsWith(path), `${name} names the file`);
      return true;
    });
  }
});

test("a file truncated inside its data fails at open; a missing file is a clear error too", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "full.safetensors");
  await writeSafetensors(path, { w: { dtype: "f32", shape: [64], data: new Uint8Array(256) } });
  const bytes = await readFile(path);
  for (const cut of [bytes.length - 1, bytes.length - 200, 20, 7]) {
    const p = join(dir, `cut${cut}.safetensors`);
    await writeFile(p, bytes.subarray(0, cut));
    await assert.rejects(SafetensorsReader.open(p), (err: Error) => err instanceof FormatError && err.message.includes(p));
  }
  await assert.rejects(SafetensorsReader.open(join(dir, "absent.safetensors")), /cannot open \(ENOENT\)/);
});

test("a file that shrinks after open gives a FormatError naming the key, not a short tensor", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "shrink.safetensors");
  await writeSafetensors(path, { w: { dtype: "f32", shape: [64], data: new Uint8Array(256) } });
  const r = await SafetensorsReader.open(path);
  t.after(() => r.close());
  const bytes = await readFile(path);
  await writeFile(path, bytes.subarray(0, bytes.length - 10));
  await assert.rejects(r.read("w"), (err: Error) => err instanceof FormatError && /key 'w'/.test(err.message));
});

test("a checkpoint reader names the real cause: a truncated safetensors file says truncated", async (t) => {
  const { readCheckpointWeights } = await import("../../src/models/clip/checkpoint_read.js");
  const dir = await tempDir(t);
  const whole = fileWith(ok, 16);
  const cut = join(dir, "cut.safetensors");
  await writeFile(cut, whole.subarray(0, whole.length - 5));
  await assert.rejects(readCheckpointWeights(cut), (e: unknown) => e instanceof FormatError && e.message.startsWith(cut) && /truncated/.test(e.message) && !/neither/.test(e.message));
  const headerCut = join(dir, "header.safetensors");
  await writeFile(headerCut, whole.subarray(0, 20));
  await assert.rejects(readCheckpointWeights(headerCut), /header length \d+ runs past the end of the 20-byte file; the file is truncated/);
  const junk = join(dir, "junk.bin");
  await writeFile(junk, "hello, not a checkpoint at all");
  await assert.rejects(readCheckpointWeights(junk), /junk\.bin: is neither a torch\.save zip checkpoint nor a safetensors file \(as safetensors: header length \d+ exceeds/);
});
