import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { JsonlSource } from "../../src/train/data/jsonl_source.js";
import { SampleError } from "../../src/train/data/sample_error.js";
import { put, tempDir } from "./data_fixtures.js";

const rec = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, original: `a photo of ${id}`, rewrites: { chatgpt: [`cg ${id}`], bard: [`b1 ${id}`, `b2 ${id}`] }, fallbacks: 0, ...extra });

test("rewrite JSONL: texts in source order, images found by the documented id rules, bad rows named", async (t) => {
  const dir = await tempDir(t);
  await put(dir, "imgs/000.jpg", "x");
  await put(dir, "imgs/001.png", "x");
  await put(dir, "imgs/sub/two.webp", "x");
  await put(dir, "imgs/explicit.jpg", "x");
  const jsonl = await put(
    dir,
    "rw.jsonl",
    [
      rec("000"), // probed: 000.jpg
      "",
      rec("001"), // probed: 001.png (no .jpg/.jpeg)
      rec("sub/two.webp"), // the id is a relative image path
      rec("x", { image: "explicit.jpg" }), // the record names its image
      "{not json",
      rec("nothere"),
      JSON.stringify({ id: "nocap", original: "", rewrites: {} }),
    ].join("\n") + "\n",
  );
  const src = await JsonlSource.open({ jsonl, imageRoot: join(dir, "imgs"), stride: 3 });
  t.after(() => src.close());
  assert.equal(src.size, 7); // the blank line is not a row
  const s0 = await src.read(0);
  assert.deepEqual(s0.texts, ["a photo of 000", "cg 000", "b1 000", "b2 000"]);
  assert.deepEqual(s0.sources, ["original", "chatgpt", "bard", "bard"]);
  assert.equal(s0.key, "000");
  assert.deepEqual(s0.image, { kind: "path", path: join(dir, "imgs", "000.jpg") });
  assert.deepEqual((await src.read(1)).image, { kind: "path", path: join(dir, "imgs", "001.png") });
  assert.deepEqual((await src.read(2)).image, { kind: "path", path: join(dir, "imgs", "sub", "two.webp") });
  assert.deepEqual((await src.read(3)).image, { kind: "path", path: join(dir, "imgs", "explicit.jpg") });
  const reason = (r: string, where: RegExp) => (e: unknown) => e instanceof SampleError && e.reason === r && where.test(e.message);
  await assert.rejects(src.read(4), reason("bad_json", /rw\.jsonl, row 4/));
  await assert.rejects(src.read(5), reason("missing_image", /row 5, key 'nothere'/));
  await assert.rejects(src.read(6), reason("missing_caption", /key 'nocap'/));
});

test("a fixed source list orders texts and makes a record without one of them bad", async (t) => {
  const dir = await tempDir(t);
  const jsonl = await put(dir, "rw.jsonl", rec("a") + "\n" + JSON.stringify({ id: "b", original: "b b", rewrites: { chatgpt: ["x y"] } }) + "\n");
  const src = await JsonlSource.open({ jsonl, imageRoot: dir, imageTemplate: "{id}.jpg", sources: ["bard", "chatgpt"], checkImages: false });
  t.after(() => src.close());
  const a = await src.read(0);
  assert.deepEqual(a.sources, ["original", "bard", "bard", "chatgpt"]);
  assert.deepEqual(a.image, { kind: "path", path: join(dir, "a.jpg") });
  await assert.rejects(src.read(1), (e: unknown) => e instanceof SampleError && e.reason === "bad_json" && /source 'bard'/.test(e.message));
});
