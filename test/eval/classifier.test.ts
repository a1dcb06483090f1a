import { test } from "node:test";
import assert from "node:assert/strict";
import { buildZeroShotClassifier, classPrompts, classesFromNames, classWeightRows, fillTemplate } from "../../src/eval/index.js";
import { liveTensors } from "../../src/engine/index.js";
import { ClipTokenizer } from "../../src/tokenizer/index.js";
import { TableModel, colourMerges } from "./tiny_models.js";

/** A deterministic (V, D) table with no structure to speak of. */
function table(vocab: number, dim: number): Float32Array {
  const t = new Float32Array(vocab * dim);
  for (let i = 0; i < t.length; i++) t[i] = Math.sin(i * 12.9898 + 78.233) * 0.5;
  return t;
}

/** The recipe by hand, in float64: per prompt, sum the table rows of its tokens, normalise; average; normalise. */
function byHand(tok: ClipTokenizer, tab: Float32Array, dim: number, prompts: string[][]): number[][] {
  const unit = (v: number[]): number[] => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  return prompts.map((texts) => {
    const mean = new Array<number>(dim).fill(0);
    for (const text of texts) {
      const f = new Array<number>(dim).fill(0);
      for (const id of tok.encode(text, 16)) for (let d = 0; d < dim; d++) f[d]! += tab[id * dim + d]!;
      unit(f).forEach((x, d) => (mean[d]! += x / texts.length));
    }
    return unit(mean);
  });
}

test("class weights equal the normalise-average-normalise recipe computed by hand (synonyms, batches across classes)", () => {
  const tok = new ClipTokenizer(colourMerges(), { contextLength: 16 });
  const dim = 5;
  const tab = table(tok.vocabSize, dim);
  const model = new TableModel(tab, tok.vocabSize, dim, new Float32Array(3 * dim));
  const classes = classesFromNames(["red", ["green", "lime"], "blue"]);
  const templates = ["a photo of a {}.", "{} art", "itap of the {{{}}}"];
  const expected = byHand(tok, tab, dim, [
    templates.map((t) => fillTemplate(t, "red")),
    templates.flatMap((t) => [fillTemplate(t, "green"), fillTemplate(t, "lime")]),
    templates.map((t) => fillTemplate(t, "blue")),
  ]);
  for (const textBatch of [1, 4, 256]) {
    const before = liveTensors();
    const w = buildZeroShotClassifier(model, classes, templates, { tokenizer: tok, contextLength: 16, textBatch });
    assert.deepEqual(w.shape, [dim, 3]);
    const got = w.toTypedArray() as Float32Array; // (D, C)
    w.dispose();
    assert.equal(liveTensors(), before, "no tensor outlives the classifier but the one it returns");
    for (let c = 0; c < 3; c++) for (let d = 0; d < dim; d++) {
      assert.ok(Math.abs(got[d * 3 + c]! - expected[c]![d]!) < 1e-6, `textBatch ${textBatch}, class ${c}, dim ${d}: ${got[d * 3 + c]} vs ${expected[c]![d]}`);
    }
  }
});

test("bf16 autocast gives the same weights within bf16 precision", () => {
  const tok = new ClipTokenizer(colourMerges(), { contextLength: 16 });
  const tab = table(tok.vocabSize, 4);
  const model = new TableModel(tab, tok.vocabSize, 4, new Float32Array(12));
  const classes = classesFromNames(["red", "blue"]);
  const fp32 = classWeightRows(model, classes, ["a {}."], { tokenizer: tok, contextLength: 16 });
  const bf16 = classWeightRows(model, classes, ["a {}."], { tokenizer: tok, contextLength: 16, bf16: true });
  assert.equal(bf16.dim, 4);
  fp32.data.forEach((x, i) => assert.ok(Math.abs(x - bf16.data[i]!) < 2e-2, `${x} vs ${bf16.data[i]}`));
  assert.ok(fp32.data.some((x, i) => x !== bf16.data[i]), "the bf16 run must actually round (the encoder's matmul runs in bf16)");
});

test("prompts: templates x synonyms per class, placeholders {} {c} {0}, escaped braces", () => {
  assert.equal(fillTemplate("a {} and {c} and {0} in {{braces}}", "cat"), "a cat and cat and cat in {braces}");
  const { texts, owner } = classPrompts(classesFromNames([["dog", "puppy"], "cat"]), ["a {}", "the {}"]);
  assert.deepEqual(texts, ["a dog", "a puppy", "the dog", "the puppy", "a cat", "the cat"]);
  assert.deepEqual([...owner], [0, 0, 0, 0, 1, 1]);
});

test("an encoder returning the wrong shape is a clear error", () => {
  const tok = new ClipTokenizer(colourMerges(), { contextLength: 16 });
  const model = new TableModel(table(tok.vocabSize, 2), tok.vocabSize, 2, new Float32Array(6));
  const bad = { encodeImage: model.encodeImage.bind(model), encodeText: (t: Parameters<typeof model.encodeText>[0]) => model.encodeText(t).reshape(-1) };
  assert.throws(() => classWeightRows(bad, classesFromNames(["red"]), ["{}"], { tokenizer: tok, contextLength: 16 }), /encodeText returned shape \[2\] for 1 inputs/);
});
