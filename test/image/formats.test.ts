import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { evalTransform, ImageDecodeError, preprocessImage } from "../../src/image/index.js";
import { cut, diff, identityEval, pixels, raw, tempDir, toHwc } from "./images.js";

// 8x6 with a distinct colour per pixel; an eval transform of size 6 keeps its height (no resampling) and takes
// columns 1..6 (left = round((8 - 6) / 2)), so the expected output is known exactly.
const SRC = pixels(8, 6, 3, (x, y) => [x * 30 + 5, y * 40 + 3, (x + y) * 10]);
const EXPECTED = cut(SRC, 8, 1, 0, 6, 6);

async function decode(bytes: Uint8Array, size = 6, background: "white" | "black" = "white"): Promise<Uint8Array> {
  return toHwc(await preprocessImage({ bytes, name: "test-image" }, identityEval(size, background)), size);
}

const LOSSLESS: [string, () => Promise<Buffer>][] = [
  ["png", () => raw(SRC, 8, 6, 3).png().toBuffer()],
  ["webp", () => raw(SRC, 8, 6, 3).webp({ lossless: true }).toBuffer()],
  ["tiff", () => raw(SRC, 8, 6, 3).tiff({ compression: "lzw" }).toBuffer()],
  ["gif", () => raw(SRC, 8, 6, 3).gif({ dither: 0 }).toBuffer()], // 48 colours fit a palette exactly
  ["heif", () => raw(SRC, 8, 6, 3).avif({ lossless: true }).toBuffer()],
];

for (const [format, make] of LOSSLESS) {
  test(`${format === "heif" ? "avif" : format} decodes to the exact pixels`, async () => {
    const bytes = await make();
    assert.equal((await sharp(bytes).metadata()).format, format);
    assert.deepEqual(await decode(bytes), EXPECTED);
  });
}

test("jpeg (quality 100, 4:4:4) decodes within a level of the source", async () => {
  const d = diff(await decode(await raw(SRC, 8, 6, 3).jpeg({ quality: 100, chromaSubsampling: "4:4:4" }).toBuffer()), EXPECTED);
  assert.ok(d.max <= 2, `max difference ${d.max}`);
});

test("normalised values equal (v/255 - mean)/std computed independently", async () => {
  const mean = [0.48145466, 0.4578275, 0.40821073];
  const std = [0.26862954, 0.26130258, 0.27577711];
  const bytes = await raw(SRC, 8, 6, 3).png().toBuffer();
  const out = await preprocessImage({ bytes }, evalTransform({ size: 6, normalize: "openai" }));
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 36; i++) {
      const want = (EXPECTED[i * 3 + c]! / 255 - mean[c]!) / std[c]!;
      assert.ok(Math.abs(out[c * 36 + i]! - want) < 1e-6, `channel ${c} pixel ${i}: ${out[c * 36 + i]} vs ${want}`);
    }
  }
});

test("grey becomes equal R, G and B", async () => {
  const grey = pixels(8, 6, 1, (x, y) => [x * 20 + y * 3]);
  const bytes = await raw(grey, 8, 6, 1).toColourspace("b-w").png().toBuffer();
  assert.equal((await sharp(bytes).metadata()).channels, 1);
  const want = pixels(6, 6, 3, (x, y) => { const v = (x + 1) * 20 + y * 3; return [v, v, v]; });
  assert.deepEqual(await decode(bytes), want);
});

test("grey + alpha is composited onto the background, white by default, black on request", async () => {
  // value 100 at alpha 0, 255, 128 and 64 in turn
  const alphas = [0, 255, 128, 64];
  const ga = pixels(8, 6, 2, (x) => [100, alphas[x % 4]!]);
  const bytes = await raw(ga, 8, 6, 2).toColourspace("b-w").png().toBuffer();
  assert.equal((await sharp(bytes).metadata()).channels, 2);
  for (const [bg, bgValue] of [["white", 255], ["black", 0]] as const) {
    const out = await decode(bytes, 6, bg);
    for (let x = 0; x < 6; x++) {
      const a = alphas[(x + 1) % 4]! / 255;
      const want = 100 * a + bgValue * (1 - a);
      assert.ok(Math.abs(out[x * 3]! - want) <= 1, `${bg}, column ${x}: ${out[x * 3]} vs ${want}`);
      assert.equal(out[x * 3 + 1], out[x * 3]);
    }
  }
});

test("RGBA: a fully transparent pixel shows the background, not its stored colour", async () => {
  const rgba = pixels(8, 6, 4, (x) => (x % 2 ? [255, 0, 0, 0] : [10, 200, 30, 255]));
  const bytes = await raw(rgba, 8, 6, 4).png().toBuffer();
  const white = await decode(bytes, 6, "white");
  const black = await decode(bytes, 6, "black");
  for (let x = 0; x < 6; x++) {
    const opaque = (x + 1) % 2 === 0;
    assert.deepEqual([...white.subarray(x * 3, x * 3 + 3)], opaque ? [10, 200, 30] : [255, 255, 255]);
    assert.deepEqual([...black.subarray(x * 3, x * 3 + 3)], opaque ? [10, 200, 30] : [0, 0, 0]);
  }
});

test("palette PNG decodes to its colours", async () => {
  const bytes = await raw(SRC, 8, 6, 3).png({ palette: true, colours: 256, dither: 0 }).toBuffer();
  assert.equal((await sharp(bytes).metadata()).isPalette, true);
  assert.deepEqual(await decode(bytes), EXPECTED);
});

test("16-bit PNG is brought to 8 bits (v / 257 within a level)", async () => {
  const g16 = new Uint16Array(8 * 6).map((_, i) => (i % 8) * 9000 + 1000);
  const bytes = await sharp(g16, { raw: { width: 8, height: 6, channels: 1 } }).toColourspace("grey16").png().toBuffer();
  assert.equal((await sharp(bytes).metadata()).depth, "ushort");
  const out = await decode(bytes);
  for (let x = 0; x < 6; x++) {
    const want = ((x + 1) * 9000 + 1000) / 257;
    assert.ok(Math.abs(out[x * 3]! - want) <= 1, `column ${x}: ${out[x * 3]} vs ${want}`);
  }
});

test("animated GIF: the first frame only", async () => {
  const red = pixels(8, 6, 4, () => [255, 0, 0, 255]);
  const blue = pixels(8, 6, 4, () => [0, 0, 255, 255]);
  const frames = new Uint8Array([...red, ...blue]);
  const bytes = await sharp(frames, { raw: { width: 8, height: 12, channels: 4, pageHeight: 6 } as never }).gif().toBuffer();
  assert.equal((await sharp(bytes).metadata()).pages, 2);
  const out = await decode(bytes);
  assert.deepEqual([...out.subarray(0, 3)], [255, 0, 0]);
  assert.deepEqual([...out.subarray(out.length - 3)], [255, 0, 0]);
});

test("EXIF orientation is applied before cropping", async (t) => {
  // Stored 6 wide x 8 high; orientation 6 means 'rotate 90 degrees clockwise to display' -> upright 8 x 6.
  const stored = pixels(6, 8, 3, (x, y) => [x * 40, y * 30, 77]);
  const upright = await raw(stored, 6, 8, 3).rotate(90).raw().toBuffer();
  const dir = tempDir(t);
  for (const format of ["jpeg", "png"] as const) {
    const enc = raw(stored, 6, 8, 3).withMetadata({ orientation: 6 });
    const bytes = format === "jpeg" ? await enc.jpeg({ quality: 100, chromaSubsampling: "4:4:4" }).toBuffer() : await enc.png().toBuffer();
    assert.equal((await sharp(bytes).metadata()).orientation, 6);
    const file = join(dir, `oriented.${format}`);
    writeFileSync(file, bytes);
    const out = toHwc(await preprocessImage({ path: file }, identityEval(6)), 6);
    const d = diff(out, cut(new Uint8Array(upright), 8, 1, 0, 6, 6));
    assert.ok(d.max <= (format === "png" ? 0 : 2), `${format}: max difference ${d.max}`);
  }
});

test("SVG is refused with the accepted formats listed", async () => {
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="red"/></svg>');
  await assert.rejects(preprocessImage({ bytes: svg, name: "icon.svg" }, identityEval(6)), (err: unknown) => {
    assert.ok(err instanceof ImageDecodeError);
    assert.match(err.message, /icon\.svg.*format 'svg' is not accepted.*jpeg, png, webp/);
    return true;
  });
});
