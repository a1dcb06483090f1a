import { test } from "node:test";
import assert from "node:assert/strict";
import { liveTensors, manualSeed, randint, randn, tidy } from "../../src/engine/index.js";
import { CLIP, clipPreset } from "../../src/models/clip/index.js";

function batch(m: CLIP, b: number, seed: number) {
  manualSeed(seed);
  const c = m.config;
  const images = randn([b, 3, c.vision.imageSize, c.vision.imageSize]);
  const tokens = () => {
    const t = randint(1, 49000, [b, c.text.contextLength]);
    t.select(1, c.text.contextLength - 1).fill_(49407).dispose();
    return t;
  };
  return { images, texts: tokens(), extra: [tokens(), tokens()] };
}

for (const preset of ["laclip-tiny", "open_clip-tiny"]) {
  test(`${preset}: live tensors stay flat across repeated forward + backward`, () => {
    const m = new CLIP(clipPreset(preset));
    try {
      const step = (seed: number) => tidy(() => {
        const { images, texts, extra } = batch(m, 3, seed);
        const out = m.forward(images, texts, { loss: true, multiText: extra });
        out.loss!.add(out.multiTextLoss!).backward();
        m.zeroGrad();
      });
      step(0);
      const before = liveTensors();
      for (let i = 1; i <= 3; i++) step(i);
      assert.equal(liveTensors(), before);
      // Inference paths too.
      tidy(() => {
        const { images, texts } = batch(m, 2, 9);
        m.encodeImage(images);
        m.encodeText(texts);
      });
      assert.equal(liveTensors(), before);
    } finally {
      m.dispose();
    }
  });
}
