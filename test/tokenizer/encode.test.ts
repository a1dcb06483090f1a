import { test } from "node:test";
import assert from "node:assert/strict";
import { cleanText } from "../../src/tokenizer/clean.js";
import { pretokenize } from "../../src/tokenizer/pretokenize.js";
import { openaiTokenizer } from "./openai_vocab.js";

const withoutPadding = (row: Int32Array): number[] => Array.from(row.subarray(0, row.indexOf(49407) + 1));

test("CLIP vocabulary: 49408 entries, SOT/EOT are the last two ids, pad is 0", (t) => {
  const tok = openaiTokenizer(t);
  if (!tok) return;
  assert.equal(tok.vocabSize, 49408);
  assert.equal(tok.sotId, 49406);
  assert.equal(tok.eotId, 49407);
  assert.equal(tok.idToToken(49406), "<|startoftext|>");
  assert.equal(tok.idToToken(320), "a</w>");
  const row = tok.encode("a dog");
  assert.equal(row.length, 77);
  assert.deepEqual(withoutPadding(row), [49406, 320, 1929, 49407]);
  assert.ok(row.subarray(4).every((v) => v === 0));
});

test("truncation keeps EOT as the last token at every context length", (t) => {
  const tok = openaiTokenizer(t);
  if (!tok) return;
  const long = "supercalifragilistic dogs " .repeat(30);
  const full = tok.tokenize(long);
  for (const L of [2, 3, 5, 16, 77]) {
    const row: number[] = Array.from(tok.encode(long, L));
    assert.equal(row.length, L);
    assert.equal(row[0], 49406);
    assert.equal(row[L - 1], 49407, `context ${L}`);
    assert.deepEqual(row.slice(1, L - 1), full.slice(0, L - 2), `context ${L}: the first L-2 ids are kept`);
  }
  // exactly filling the context is not truncation
  const fits = tok.tokenize("a dog on a bench");
  assert.deepEqual(Array.from(tok.encode("a dog on a bench", fits.length + 2)), [49406, ...fits, 49407]);
  assert.throws(() => tok.encode("x", 1), /context length must be an integer >= 2/);
});

test("special-token strings in the text are encoded as text, never as SOT/EOT", (t) => {
  const tok = openaiTokenizer(t);
  if (!tok) return;
  const ids = tok.tokenize("<|endoftext|> <|startoftext|>");
  assert.ok(!ids.includes(49406) && !ids.includes(49407));
  assert.equal(tok.decode(ids), "<|endoftext|> <|startoftext|>");
  // ...but they still bound a pre-token, as the CLIP pattern lists them first
  assert.deepEqual(pretokenize("x<|endoftext|>y"), ["x", "<|endoftext|>", "y"]);
});

test("batch encoding equals row-by-row encoding, as int32 and as an i64 HostTensor", (t) => {
  const tok = openaiTokenizer(t);
  if (!tok) return;
  const texts = ["a photo of a cat", "", "Café &amp; croissants", "word ".repeat(100)];
  const batch = tok.encodeBatch(texts, 20);
  assert.deepEqual(batch.shape, [4, 20]);
  texts.forEach((s, i) => assert.deepEqual(batch.data.subarray(i * 20, (i + 1) * 20), tok.encode(s, 20)));
  const host = tok.encodeBatchI64(texts, 20);
  assert.equal(host.dtype, "i64");
  assert.deepEqual(host.shape, [4, 20]);
  const i64 = new BigInt64Array(host.data.buffer, host.data.byteOffset, 80);
  assert.deepEqual(Array.from(i64, Number), Array.from(batch.data));
  assert.deepEqual(tok.encodeBatch([], 77).shape, [0, 77]);
});

test("decode(encode(x)) gives the cleaned text with its pre-tokens joined by single spaces", (t) => {
  const tok = openaiTokenizer(t);
  if (!tok) return;
  const texts = [
    "a photo of a dog .",
    "  Two   DOGS\tplaying\nin the snow ",
    "café naïve 東京の夜景 Москва 🐶🎉",
    "it's 3.14, isn't it?",
    "&lt;b&gt;bold&lt;/b&gt; &amp;amp; more",
  ];
  for (const x of texts) {
    assert.equal(tok.decode(tok.encode(x)), pretokenize(cleanText(x)).join(" "), JSON.stringify(x));
  }
  assert.equal(tok.decode(tok.encode("a photo of a dog .")), cleanText("a photo of a dog ."));
  assert.equal(tok.decode([49406, 320, 1929, 49407, 0, 0]), "a dog", "stops at EOT: zeros after it are padding");
  assert.throws(() => tok.decode([5, 49408]), /token id 49408 at position 1 is outside the vocabulary/);
});

test("HTML entities are unescaped twice, as html.unescape applied twice", (t) => {
  const tok = openaiTokenizer(t);
  if (!tok) return;
  const same = (a: string, b: string) => assert.deepEqual(tok.tokenize(a), tok.tokenize(b), `${a} vs ${b}`);
  same("rock &amp; roll", "rock & roll");
  same("i &lt;3 you", "i <3 you");
  same("a &amp;amp; b", "a & b");
  same("&amp;lt;3", "<3");
  same("caf&eacute; &#233;t&#xE9;", "café été");
  assert.notDeepEqual(tok.tokenize("&amp;amp;amp;"), tok.tokenize("&"), "only two rounds of unescaping");
});

test("NFC: composed and decomposed input give the same ids; case and spacing do not matter", (t) => {
  const tok = openaiTokenizer(t);
  if (!tok) return;
  const composed = "\u00e9cole caf\u00e9 \u00c5ngstr\u00f6m";
  const decomposed = "e\u0301cole cafe\u0301 A\u030angstro\u0308m";
  assert.notEqual(composed, decomposed);
  assert.deepEqual(tok.encode(decomposed), tok.encode(composed));
  assert.deepEqual(tok.encode("A PHOTO\tOF  A\u3000DOG"), tok.encode("a photo of a dog"));
});
