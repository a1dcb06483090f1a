/** The pieces of the ONNX export on their own: signed protobuf ints, int8 quantisation, reading weights, input checks. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fieldInt64, fieldPackedInt64 } from "../../src/io/protobuf.js";
import { exportOnnx, GraphWeights, OnnxExportError } from "../../src/export/onnx/index.js";
import { quantizePerChannel } from "../../src/export/onnx/quantize.js";
import { resolveClipConfig } from "../../src/models/clip/index.js";
import { readDefaultMerges } from "../../src/tokenizer/index.js";
import type { HostTensor } from "../../src/io/host_tensor.js";

test("int64 fields: negatives take ten bytes of two's complement, as protobuf's int64", () => {
  assert.deepEqual([...fieldInt64(3, -1)], [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.deepEqual([...fieldInt64(3, 300)], [0x18, 0xac, 0x02]);
  // Packed: key (field 1, wire 2), length, then the varints.
  assert.deepEqual([...fieldPackedInt64(1, [0, -2, 1])], [0x0a, 12, 0x00, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x01]);
});

test("quantizePerChannel: one scale per channel of the chosen axis, error at most half a step, zero channels stay zero", () => {
  const w = Float32Array.from([0.5, -2, 0, 0.25, 1, 0, -0.125, 0.3, 0]); // (3, 3), column 2 all zero
  const cols = quantizePerChannel(w, 3, 3, 1);
  assert.deepEqual(Array.from(cols.scale), [Math.fround(0.5 / 127), Math.fround(2 / 127), 1]);
  const rows = quantizePerChannel(w, 3, 3, 0);
  assert.deepEqual(Array.from(rows.scale), [Math.fround(2 / 127), Math.fround(1 / 127), Math.fround(0.3 / 127)]);
  for (const [q, axis] of [[cols, 1], [rows, 0]] as const) {
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        const s = q.scale[axis === 0 ? r : c]!;
        assert.ok(Math.abs(q.q[r * 3 + c]! * s - w[r * 3 + c]!) <= s / 2 + 1e-9);
      }
    }
  }
  assert.equal(Math.max(...Array.from(cols.q, Math.abs)), 127);
});

test("GraphWeights reads bfloat16 and float16 weights as float32 and names a missing or unreadable key", () => {
  const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc040]).buffer); // 1, -3
  const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xb800, 0x0001]).buffer); // 1, -0.5, 2^-24
  const state = new Map<string, HostTensor>([
    ["a", { dtype: "bf16", shape: [2], data: bf16 }],
    ["b", { dtype: "f16", shape: [3], data: f16 }],
    ["c", { dtype: "i64", shape: [1], data: new Uint8Array(8) }],
  ]);
  const w = new GraphWeights(state, "fp32");
  assert.deepEqual(Array.from(w.get("a").data), [1, -3]);
  assert.deepEqual(Array.from(w.get("b").data), [1, -0.5, 2 ** -24]);
  assert.throws(() => w.get("c"), (e: Error) => e instanceof OnnxExportError && /tensor 'c' is i64/.test(e.message));
  assert.throws(() => w.get("visual.proj"), /the checkpoint has no tensor 'visual\.proj', which the ONNX graph needs/);
});

test("exportOnnx refuses a tokenizer with more tokens than the model's embedding", async () => {
  const dir = await mkdtemp(join(tmpdir(), "laclip-onnx-"));
  try {
    const config = resolveClipConfig({ layout: "laclip", text: { vocabSize: 1000 } });
    await assert.rejects(exportOnnx(dir, { config, state: new Map(), merges: readDefaultMerges() }),
      /the tokenizer has 49408 tokens but the model's text embedding only 1000 rows; pass the merges the model was trained with/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
