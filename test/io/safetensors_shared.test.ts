/**
 * The reference parity files, read by SafetensorsReader and checked against a decode written here by hand
 * (header length, JSON, absolute offsets, little-endian values read straight from the file's bytes).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { SafetensorsReader } from "../../src/io/index.js";
import { sharedPath } from "../helpers/shared.js";

const ELEMENT = { F32: 4, I64: 8 } as Record<string, number>;
const OURS = { F32: "f32", I64: "i64" } as Record<string, string>;

for (const family of ["laclip_slip", "open_clip"]) {
  for (const file of ["weights.safetensors", "io.safetensors"]) {
    test(`${family}/${file}: keys, dtypes, shapes and values match a hand decode`, async (t) => {
      const path = sharedPath(t, "reference", "parity", family, file);
      if (path === undefined) return;
      const bytes = await readFile(path);
      const n = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8")) as Record<string, any>;
      const names = Object.keys(header).filter((k) => k !== "__metadata__");

      const r = await SafetensorsReader.open(path);
      t.after(() => r.close());
      assert.equal(r.keys().length, names.length);
      assert.deepEqual([...r.keys()].sort(), [...names].sort());
      assert.deepEqual(r.metadata === undefined ? undefined : { ...r.metadata }, header.__metadata__);
      for (const k of names) {
        const info = r.info(k);
        assert.equal(info.dtype, OURS[header[k].dtype], k);
        assert.deepEqual(info.shape, header[k].shape, k);
      }

      // Values: the first, middle and last element of every tensor, decoded from absolute file positions.
      for (const k of names) {
        const h = header[k];
        const size = ELEMENT[h.dtype];
        assert.ok(size !== undefined, `fixture dtype ${h.dtype} is one this test decodes`);
        const count = (h.data_offsets[1] - h.data_offsets[0]) / size;
        const got = await r.read(k);
        const view = new DataView(got.data.buffer, got.data.byteOffset, got.data.byteLength);
        for (const i of new Set([0, Math.floor(count / 2), count - 1])) {
          if (count === 0) break;
          const at = 8 + n + h.data_offsets[0] + i * size;
          if (h.dtype === "F32") assert.equal(view.getFloat32(i * 4, true), bytes.readFloatLE(at), `${k}[${i}]`);
          else assert.equal(view.getBigInt64(i * 8, true), bytes.readBigInt64LE(at), `${k}[${i}]`);
        }
      }
      if (file === "io.safetensors") {
        // Token ids are CLIP BPE ids: integers in [0, 49408).
        const text = await r.read("input.text");
        const ids = new BigInt64Array(text.data.buffer, text.data.byteOffset, text.data.byteLength / 8);
        assert.ok(ids.length > 0 && ids.every((v) => v >= 0n && v < 49408n));
      }
    });
  }
}
