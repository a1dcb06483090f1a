import { test } from "node:test";
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import sharp from "sharp";
import { preprocessImage } from "../../src/image/index.js";
import { identityEval, pixels, raw, toHwc } from "./images.js";

/** The first pixel of an 8-bit RGB, non-interlaced PNG whose first row is unfiltered, read without any library. */
function storedFirstPixel(png: Buffer): number[] {
  const idat: Buffer[] = [];
  for (let i = 8; i < png.length;) {
    const n = png.readUInt32BE(i);
    const type = png.toString("latin1", i + 4, i + 8);
    if (type === "IHDR") assert.deepEqual([png[i + 16], png[i + 17], png[i + 20]], [8, 2, 0], "8-bit RGB, not interlaced");
    if (type === "IDAT") idat.push(png.subarray(i + 8, i + 8 + n));
    i += 12 + n;
  }
  const rows = inflateSync(Buffer.concat(idat));
  assert.equal(rows[0], 0, "first row unfiltered");
  return [rows[1]!, rows[2]!, rows[3]!];
}

const SRGB = [200, 60, 30];

test("embedded ICC profiles: ignored by default (values as stored, as Pillow reads them), applied on request", async () => {
  // Written with a Display P3 profile: sharp converts the sRGB source values into P3 numbers on the way out.
  const png = await raw(pixels(8, 8, 3, () => SRGB), 8, 8, 3).withIccProfile("p3").png({ adaptiveFiltering: false }).toBuffer();
  assert.ok((await sharp(png).metadata()).icc);
  const stored = storedFirstPixel(png);
  assert.notDeepEqual(stored, SRGB);
  const ignored = toHwc(await preprocessImage({ bytes: png }, identityEval(8)), 8);
  const applied = toHwc(await preprocessImage({ bytes: png }, { ...identityEval(8), icc: "apply" }), 8);
  assert.deepEqual([...ignored.subarray(0, 3)], stored);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(applied[c]! - SRGB[c]!) <= 1, `applied ${[...applied.subarray(0, 3)]} vs ${SRGB}`);
});

test("CMYK JPEG becomes RGB through libvips' CMYK profile, not read as RGBA", async () => {
  const jpeg = await raw(pixels(8, 8, 3, () => SRGB), 8, 8, 3).toColourspace("cmyk").jpeg({ quality: 100 }).toBuffer();
  const meta = await sharp(jpeg).metadata();
  assert.equal(meta.space, "cmyk");
  const out = toHwc(await preprocessImage({ bytes: jpeg }, identityEval(8)), 8);
  // Through a CMYK round trip the colour moves a little; black (K) must not have been taken for transparency.
  assert.ok(Math.abs(out[0]! - SRGB[0]!) <= 15 && Math.abs(out[1]! - SRGB[1]!) <= 20 && out[2]! <= SRGB[2]! + 15, `${[...out.subarray(0, 3)]}`);
});
