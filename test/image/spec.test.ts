import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors/config_error.js";
import { evalTransform, NORMALISATIONS, normalisationTable, trainTransform, validateSpec, type TransformSpec } from "../../src/image/index.js";

test("named normalisations carry the published statistics", () => {
  assert.deepEqual(NORMALISATIONS.imagenet, { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
  assert.deepEqual(NORMALISATIONS.openai, {
    mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711],
  });
});

test("normalisation table: float32 values within float32 rounding of (v/255 - mean)/std", () => {
  const n = NORMALISATIONS.openai;
  const table = normalisationTable(n);
  for (let c = 0; c < 3; c++) {
    for (const v of [0, 1, 127, 128, 254, 255]) {
      const want = (v / 255 - n.mean[c]!) / n.std[c]!;
      assert.ok(Math.abs(table[c * 256 + v]! - want) <= 4e-7 * Math.max(1, Math.abs(want)), `c ${c} v ${v}`);
    }
  }
});

test("builders fill LaCLIP's defaults", () => {
  const t = trainTransform({ normalize: "imagenet" });
  assert.deepEqual(t, {
    kind: "train", size: 224, normalize: "imagenet", interpolation: "bicubic", background: "white",
    resampler: "libvips", icc: "ignore", scale: [0.5, 1], ratio: [3 / 4, 4 / 3],
  });
  assert.equal(evalTransform({ normalize: "openai", size: 336 }).size, 336);
  assert.deepEqual(JSON.parse(JSON.stringify(t)), t); // plain data: saved in configs, cloned into workers
});

test("invalid specs are refused with the offending key", () => {
  const good = trainTransform({ normalize: "imagenet" });
  const bad: [Partial<TransformSpec> & Record<string, unknown>, string][] = [
    [{ size: 0 }, "size"],
    [{ size: 22.5 }, "size"],
    [{ interpolation: "lanczos" as never }, "interpolation"],
    [{ background: "grey" as never }, "background"],
    [{ resampler: "gpu" as never }, "resampler"],
    [{ icc: "maybe" as never }, "icc"],
    [{ normalize: "laion" as never }, "normalize"],
    [{ normalize: { mean: [0, 0], std: [1, 1, 1] } as never }, "normalize.mean"],
    [{ normalize: { mean: [0, 0, 0], std: [1, 0, 1] } }, "normalize.std"],
    [{ scale: [0.8, 0.5] }, "scale"],
    [{ scale: [0, 1] }, "scale"],
    [{ ratio: [-1, 2] }, "ratio"],
    [{ kind: "test" as never }, "kind"],
  ];
  for (const [patch, key] of bad) {
    assert.throws(() => validateSpec({ ...good, ...patch } as TransformSpec), (err: unknown) => {
      assert.ok(err instanceof ConfigError, `${JSON.stringify(patch)}: ${String(err)}`);
      assert.equal(err.key, key);
      return true;
    });
  }
});
