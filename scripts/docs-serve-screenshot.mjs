// Makes docs/serve.png: trains a tiny CLIP for a few seconds on drawn shapes ("a photo of a red circle."),
// exports it as onnx, serves it with `laclip serve`'s server and photographs the page in headless Chromium
// after picking a drawn image. Needs the build (make setup) and chromium. Run: node scripts/docs-serve-screenshot.mjs
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { fromHost, manualSeed, noGrad, tensor, tidy } from "../dist/src/engine/index.js";
import { exportOnnx } from "../dist/src/export/onnx/index.js";
import { NORMALISATIONS } from "../dist/src/image/normalisation.js";
import { CLIP } from "../dist/src/models/clip/index.js";
import { AdamW } from "../dist/src/optim/index.js";
import { startServe } from "../dist/src/serve/server.js";
import { ClipTokenizer, readDefaultMerges } from "../dist/src/tokenizer/index.js";
import { HeadlessPage } from "../dist/test/helpers/chromium.js";

const COLOURS = { red: [220, 30, 30], green: [40, 170, 60], blue: [40, 80, 220], yellow: [235, 200, 30] };
const SHAPES = ["circle", "square", "triangle"];
const CLASSES = Object.keys(COLOURS).flatMap((c) => SHAPES.map((s) => [c, s]));
const SIZE = 32;

let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

/** RGB bytes (side, side, 3) of a shape of a colour at a jittered place and size on a light background. */
function draw(colour, shape, side) {
  const px = new Uint8Array(side * side * 3);
  const bg = 200 + Math.floor(rand() * 55);
  const [cx, cy] = [side * (0.35 + 0.3 * rand()), side * (0.35 + 0.3 * rand())];
  const r = side * (0.2 + 0.12 * rand());
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const dx = (x + 0.5 - cx) / r;
      const dy = (y + 0.5 - cy) / r;
      const inside = shape === "circle" ? dx * dx + dy * dy <= 1
        : shape === "square" ? Math.abs(dx) <= 0.85 && Math.abs(dy) <= 0.85
          : dy <= 0.8 && dy >= -1 && Math.abs(dx) <= (dy + 1) / 1.8 * 0.95;
      const c = inside ? COLOURS[colour] : [bg, bg, bg];
      for (let k = 0; k < 3; k++) px[(y * side + x) * 3 + k] = Math.max(0, Math.min(255, c[k] + Math.round((rand() - 0.5) * 16)));
    }
  }
  return px;
}

function normalise(rgb, out, offset) {
  const { mean, std } = NORMALISATIONS.imagenet;
  for (let c = 0; c < 3; c++) for (let i = 0; i < SIZE * SIZE; i++) out[offset + c * SIZE * SIZE + i] = (rgb[i * 3 + c] / 255 - mean[c]) / std[c];
}

const merges = readDefaultMerges();
const config = {
  layout: "laclip", embedDim: 32,
  vision: { imageSize: SIZE, patchSize: 8, width: 48, layers: 2, heads: 4 },
  text: { contextLength: 16, vocabSize: 49408, width: 32, layers: 2, heads: 4 },
};
manualSeed(1);
const model = new CLIP(config);
const tok = new ClipTokenizer(merges, { contextLength: 16 });
const captions = CLASSES.map(([c, s]) => `a photo of a ${c} ${s}.`);
const tokens = tok.encodeBatchI64(captions);
const opt = new AdamW(model.parameters(), { lr: 2e-3, weightDecay: 0.01 });
const n = CLASSES.length;
for (let step = 0; step < 1500; step++) {
  const images = new Float32Array(n * 3 * SIZE * SIZE);
  CLASSES.forEach(([c, s], i) => normalise(draw(c, s, SIZE), images, i * 3 * SIZE * SIZE));
  const loss = tidy(() => {
    const l = model.forward(tensor(images, { shape: [n, 3, SIZE, SIZE] }), fromHost(tokens), { loss: true }).loss;
    l.backward();
    return l.item();
  });
  opt.step();
  opt.zeroGrad();
  if (step % 100 === 0 || step === 1499) console.log(`step ${step} loss ${loss.toFixed(4)}`);
}
model.eval();

const root = await mkdtemp(join(tmpdir(), "laclip-docs-shot-"));
const dir = join(root, "export");
await exportOnnx(dir, { config: model.config, state: model.hostStateDict(), merges });
const image = join(root, "red-circle.png");
seed = 777;
await sharp(Buffer.from(draw("red", "circle", 160)), { raw: { width: 160, height: 160, channels: 3 } }).png().toFile(image);

const server = await startServe(dir, { port: 0 });
const page = await HeadlessPage.open(process.env.LACLIP_CHROMIUM ?? "chromium");
try {
  await page.navigate(server.url);
  await page.waitFor("['ready', 'error'].includes(document.body.dataset.state)", 60_000);
  const labels = ["red circle", "red square", "blue circle", "yellow triangle", "green square", "yellow circle"];
  await page.evaluate(`document.getElementById('labels').value = ${JSON.stringify(labels.join("\n"))}; document.getElementById('template').value = "a photo of a {}."; true`);
  await page.setFiles("#file", [image]);
  await page.waitFor("['done', 'error'].includes(document.body.dataset.state)", 60_000);
  console.log(await page.evaluate("document.getElementById('status').textContent"));
  console.log(await page.evaluate("[...document.querySelectorAll('#results li')].map((li) => li.dataset.label + ' ' + Number(li.dataset.score).toFixed(3)).join(', ')"));
  await writeFile(join(process.cwd(), "docs", "serve.png"), await page.screenshot());
  console.log("wrote docs/serve.png");
} finally {
  await page.close();
  await server.close();
  model.dispose();
  await rm(root, { recursive: true, force: true });
}
