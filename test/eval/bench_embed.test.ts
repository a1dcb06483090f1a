import { test } from "node:test";
import assert from "node:assert/strict";
import { liveTensors } from "../../src/engine/index.js";
import { benchEmbed } from "../../src/eval/bench_embed.js";
import { clipPreset } from "../../src/models/clip/index.js";

test("bench embed runs both towers in fp32 and bf16 and leaves no tensor behind", () => {
  const before = liveTensors();
  for (const dtype of ["fp32", "bf16"] as const) {
    const r = benchEmbed({ config: clipPreset("laclip-tiny"), dtype, batch: 2, steps: 1, warmup: 1 });
    assert.ok(Number.isFinite(r.pairsPerSec) && r.pairsPerSec > 0);
    assert.equal(r.liveTensors[0], r.liveTensors[1], "no tensor accumulates across steps");
  }
  assert.equal(liveTensors(), before);
});
