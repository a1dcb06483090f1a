import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LaclipError } from "../../src/errors/laclip_error.js";
import { FormatError } from "../../src/errors/format_error.js";
import { ImageDecodeError, preprocessImage } from "../../src/image/index.js";
import { content, identityEval, raw, tempDir } from "./images.js";

async function badFiles(dir: string): Promise<Record<string, string>> {
  const src = content(120, 90, "noise");
  const jpeg = await raw(src, 120, 90, 3).jpeg().toBuffer();
  const png = await raw(src, 120, 90, 3).png().toBuffer();
  const webp = await raw(src, 120, 90, 3).webp().toBuffer();
  const files: Record<string, Uint8Array> = {
    "empty.jpg": new Uint8Array(0),
    "text.jpg": Buffer.from("this is a caption, not an image\n"),
    "truncated.jpg": jpeg.subarray(0, jpeg.length >> 1),
    "header-only.jpg": jpeg.subarray(0, 40),
    "truncated.png": png.subarray(0, png.length - 100),
    "truncated.webp": webp.subarray(0, webp.length >> 1),
  };
  const paths: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) writeFileSync((paths[name] = join(dir, name)), bytes);
  paths["missing.jpg"] = join(dir, "missing.jpg");
  return paths;
}

test("empty, non-image, truncated and missing files fail with an ImageDecodeError naming the file", async (t) => {
  const paths = await badFiles(tempDir(t));
  for (const [name, path] of Object.entries(paths)) {
    for (const spec of [identityEval(32), { ...identityEval(32), kind: "train" as const, scale: [0.5, 1] as [number, number], ratio: [0.75, 4 / 3] as [number, number] }]) {
      await assert.rejects(preprocessImage({ path }, spec, { seed: 1 }), (err: unknown) => {
        assert.ok(err instanceof ImageDecodeError, `${name}: ${String(err)}`);
        assert.ok(err instanceof FormatError && err instanceof LaclipError);
        assert.equal(err.file, path);
        assert.ok(err.message.startsWith(`${path}: cannot decode image (`), err.message);
        assert.ok(err.reason.length > 0);
        return true;
      }, `${name} (${spec.kind}) should be refused`);
    }
  }
});

test("in-memory bytes are named by the name the caller gave", async () => {
  await assert.rejects(preprocessImage({ bytes: new Uint8Array([0xff, 0xd8, 0xff]), name: "shard-000017.tar:000123.jpg" }, identityEval(8)), (err: unknown) => {
    assert.ok(err instanceof ImageDecodeError);
    assert.match(err.message, /^shard-000017\.tar:000123\.jpg: cannot decode image/);
    return true;
  });
});
