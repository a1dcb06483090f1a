/**
 * The ONNX files pass ONNX's own checker (python3-onnx's `onnx.checker.check_model(full_check=True)`: the
 * protobuf, the opset-17 operator schemas, and strict shape inference against the declared inputs and
 * outputs), for every architecture and both precisions. Skipped with one line without /usr/bin/python3's onnx.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeClipOnnx } from "../../src/export/onnx/write.js";
import { resolveClipConfig } from "../../src/models/clip/index.js";
import { tinyConfigs, tinyModel } from "./onnx_fixtures.js";

const PY = "/usr/bin/python3";
const CHECK = `
import sys, onnx
for path in sys.argv[1:]:
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    print(path.rsplit("/", 1)[-1], m.ir_version, m.opset_import[0].version, [i.name for i in m.graph.input], [o.name for o in m.graph.output])
`;

function hasOnnx(t: TestContext): boolean {
  if (spawnSync(PY, ["-c", "import onnx"], { stdio: "ignore" }).status === 0) return true;
  t.skip(`${PY} with onnx is absent (apt-get install python3-onnx): ONNX checker skipped`);
  return false;
}

test("every exported graph passes onnx.checker with full shape inference", async (t) => {
  if (!hasOnnx(t)) return;
  const dir = await mkdtemp(join(tmpdir(), "laclip-onnx-check-"));
  try {
    const paths: string[] = [];
    for (const [i, input] of Object.values(tinyConfigs(300)).entries()) {
      const model = tinyModel(input, 40 + i);
      try {
        const sub = join(dir, `m${i}`);
        const files = await writeClipOnnx(sub, resolveClipConfig(input), model.hostStateDict());
        paths.push(...files.map((f) => join(sub, f.path)));
      } finally {
        model.dispose();
      }
    }
    const r = spawnSync(PY, ["-c", CHECK, ...paths], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, paths.length);
    assert.ok(lines.every((l) => / 8 17 /.test(l)), r.stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
