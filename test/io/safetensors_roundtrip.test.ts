import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FormatError } from "../../src/errors/index.js";
import { SafetensorsReader, readSafetensors, writeSafetensors, type HostTensor } from "../../src/io/index.js";
import { tempDir } from "./helpers/torch_pickle.js";

function tensor(dtype: HostTensor["dtype"], shape: number[], bytesPerElement: number, seed: number): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1) * bytesPerElement;
  return { dtype, shape, data: Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff) };
}

/** The header JSON exactly as stored, parsed by hand. */
async function rawHeader(path: string): Promise<{ n: number; text: string; json: Record<string, any> }> {
  const bytes = await readFile(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const text = bytes.subarray(8, 8 + n).toString("utf8");
  return { n, text, json: JSON.parse(text) };
}

test("round trip of every dtype, a scalar, an empty tensor, integer-like names and metadata", async (t) => {
  const path = join(await tempDir(t), "all.safetensors");
  const tensors = new Map<string, HostTensor>([
    ["b.f32", tensor("f32", [2, 3], 4, 1)],
    ["a.f64", tensor("f64", [3], 8, 2)],
    ["bf16", tensor("bf16", [5], 2, 3)],
    ["f16", tensor("f16", [1, 1], 2, 4)],
    ["i64", tensor("i64", [2], 8, 5)],
    ["i32", tensor("i32", [], 4, 6)],
    ["i16", tensor("i16", [3], 2, 7)],
    ["i8", tensor("i8", [7], 1, 8)],
    ["0", tensor("u8", [3], 1, 9)],
    ["mask", tensor("bool", [0, 4], 1, 10)],
  ]);
  await writeSafetensors(path, tensors, { metadata: { format: "pt", note: "x\"y" } });
  const { tensors: back, metadata } = await readSafetensors(path);
  assert.deepEqual(new Map([...back].sort()), new Map([...tensors].sort()));
  assert.deepEqual({ ...metadata }, { format: "pt", note: "x\"y" });

  const { n, text, json } = await rawHeader(path);
  assert.equal((8 + n) % 8, 0, "data region starts 8-aligned");
  assert.ok(text.trimEnd().endsWith("}") && /^ {0,7}$/.test(text.slice(text.trimEnd().length)), "padded with spaces");
  // Largest element size first, then by name; metadata first in the JSON.
  assert.equal(Object.keys(json).length, 11);
  assert.ok(text.startsWith('{"__metadata__":'));
  const keysInText = [...text.matchAll(/"([^"]+)":\{"dtype"/g)].map((m) => m[1]);
  assert.deepEqual(keysInText, ["a.f64", "i64", "b.f32", "i32", "bf16", "f16", "i16", "0", "i8", "mask"]);
  for (const k of keysInText) {
    const size = { F64: 8, I64: 8, F32: 4, I32: 4, BF16: 2, F16: 2, I16: 2, U8: 1, I8: 1, BOOL: 1 }[json[k].dtype as string]!;
    assert.equal(json[k].data_offsets[0] % size, 0, `${k} is aligned to its element size`);
  }
});

test("a Record is accepted, tensors are read one at a time with info, unknown keys are a FormatError", async (t) => {
  const path = join(await tempDir(t), "rec.safetensors");
  await writeSafetensors(path, { w: tensor("f32", [4], 4, 1), b: tensor("f32", [2], 4, 2) });
  const r = await SafetensorsReader.open(path);
  t.after(() => r.close());
  assert.deepEqual(r.keys().sort(), ["b", "w"]);
  assert.equal(r.metadata, undefined);
  const info = r.info("w");
  assert.deepEqual([info.dtype, info.shape, info.byteLength], ["f32", [4], 16]);
  const file = await readFile(path);
  assert.deepEqual((await r.read("w")).data, new Uint8Array(file.subarray(info.fileOffset, info.fileOffset + 16)));
  await assert.rejects(r.read("nope"), (err: Error) => err instanceof FormatError && /key 'nope'/.test(err.message));
});

test("writes are atomic: overwrite replaces, a refused write keeps the old file and leaves no temp file", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "w.safetensors");
  await writeFile(path, "old");
  await writeSafetensors(path, { x: tensor("u8", [2], 1, 1) });
  assert.deepEqual((await readSafetensors(path)).tensors.get("x")?.shape, [2]);
  const before = await readFile(path);
  const bad = { y: { dtype: "f32" as const, shape: [3], data: new Uint8Array(5) } };
  await assert.rejects(writeSafetensors(path, bad), (err: Error) => err instanceof FormatError && /key 'y'.*5 bytes/.test(err.message));
  await assert.rejects(writeSafetensors(path, { __metadata__: tensor("u8", [1], 1, 0) }), FormatError);
  assert.deepEqual(await readFile(path), before);
  assert.deepEqual(await readdir(dir), ["w.safetensors"]);
});
