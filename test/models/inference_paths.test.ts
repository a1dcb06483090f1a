/**
 * Inference takes shorter paths than training, which must give the same features: the fused attention's
 * forward without autograd (no saved probabilities), each tower's last block at its pooled token only
 * (src/models/clip/pooled_block.ts), and the text batch cut after its last EOT, all in eval mode without autograd.
 * Reference: the same model with autograd on, which takes the full paths.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as E from "../../src/engine/index.js";
import { CLIP, clipPreset } from "../../src/models/clip/index.js";

const maxAbs = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const bf16 = <T>(f: () => T): T => E.autocast({ dtype: "bf16", device: "cpu" }, f);

test("fusedSelfAttention without autograd equals the autograd forward bit for bit", () => {
  E.manualSeed(11);
  const cases = [
    { b: 2, t: 37, heads: 4, hd: 16, causal: false, norm: true, lowp: true },
    { b: 3, t: 20, heads: 2, hd: 32, causal: true, norm: false, lowp: true },
    { b: 2, t: 19, heads: 4, hd: 8, causal: false, norm: true, lowp: false },
    { b: 2, t: 33, heads: 2, hd: 16, causal: true, norm: true, lowp: false },
  ];
  for (const c of cases) {
    E.tidy(() => {
      const qkv = E.randn([c.b, c.t, 3 * c.heads * c.hd]);
      const norm = { weight: E.randn([c.hd]), bias: E.randn([c.hd]) };
      const o = { heads: c.heads, causal: c.causal, ...(c.norm ? { qNorm: norm, kNorm: norm } : {}) };
      const run = (x: E.Tensor): Float32Array => {
        const f = (): E.Tensor => E.fusedSelfAttention(x, o).to({ dtype: "f32" });
        return (c.lowp ? bf16(f) : f()).toTypedArray() as Float32Array;
      };
      const inference = E.noGrad(() => run(qkv));
      const training = run(qkv.clone().requiresGrad_(true));
      assert.equal(maxAbs(inference, training), 0, JSON.stringify(c));
    });
  }
});

for (const preset of ["laclip-tiny", "open_clip-tiny"]) {
  test(`${preset}: features without autograd (pooled last block, text cut after the last EOT) equal the full forward`, () => {
    const c = clipPreset(preset);
    const model = new CLIP(c, { generator: new E.Generator(2) });
    model.train(false);
    try {
      E.manualSeed(4);
      const n = 5;
      const s = c.vision.imageSize;
      const T = c.text.contextLength;
      const eotId = c.text.vocabSize - 1;
      const images = E.randn([n, 3, s, s]);
      // EOT at different places, zeros after it (the tokenizer's padding); the batch's last EOT well before T
      const rows = [3, 7, 1, 5, 9].map((eot) => Array.from({ length: T }, (_, j) => (j < eot ? 1 + ((j * 7919 + eot) % (eotId - 2)) : j === eot ? eotId : 0)));
      const ids = E.tensor(rows.flat(), { shape: [n, T], dtype: "i64" });
      const encode = (): Float32Array[] => [model.encodeImage(images), model.encodeText(ids)].map((t) => t.toTypedArray() as Float32Array);
      const before = E.liveTensors();
      const full = E.tidy(encode); // autograd on: every token through every block, all T positions
      const short = E.noGrad(() => E.tidy(encode));
      assert.equal(E.liveTensors(), before, "no tensor left behind");
      assert.ok(maxAbs(full[0]!, short[0]!) < 1e-5, `image features differ by ${maxAbs(full[0]!, short[0]!)}`);
      assert.ok(maxAbs(full[1]!, short[1]!) < 1e-5, `text features differ by ${maxAbs(full[1]!, short[1]!)}`);
      // training's own no-grad passes (exact accumulation's feature pass) keep the full path: bit for bit
      model.train(true);
      const trainNoGrad = E.noGrad(() => E.tidy(encode));
      model.train(false);
      assert.deepEqual([maxAbs(full[0]!, trainNoGrad[0]!), maxAbs(full[1]!, trainNoGrad[1]!)], [0, 0]);
      // a row's features do not depend on the longer rows beside it
      const alone = E.noGrad(() => E.tidy(() => model.encodeText(ids.narrow(0, 2, 1)).toTypedArray() as Float32Array));
      assert.ok(maxAbs(alone, full[1]!.subarray(2 * alone.length, 3 * alone.length)) < 1e-5);
      // bf16: the short paths stay as close to f32 as the full bf16 forward does
      const fullBf16 = E.tidy(() => bf16(encode));
      const shortBf16 = E.noGrad(() => E.tidy(() => bf16(encode)));
      for (const k of [0, 1]) {
        const scale = full[k]!.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const errFull = maxAbs(full[k]!, fullBf16[k]!);
        const errShort = maxAbs(full[k]!, shortBf16[k]!);
        assert.ok(errShort < Math.max(2 * errFull, 0.01 * scale), `${k ? "text" : "image"}: bf16 error ${errShort} (full path ${errFull}, scale ${scale})`);
      }
      images.dispose();
      ids.dispose();
    } finally {
      model.dispose();
    }
  });
}
