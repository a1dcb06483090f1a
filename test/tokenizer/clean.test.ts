import { test } from "node:test";
import assert from "node:assert/strict";
import { cleanText, prepareForTokens } from "../../src/tokenizer/clean.js";
import { unescapeHtml } from "../../src/tokenizer/html_unescape.js";
import { pretokenize } from "../../src/tokenizer/pretokenize.js";

test("unescapeHtml follows Python's html.unescape, numeric references included", () => {
  const cases: Array<[string, string]> = [
    ["&amp;", "&"],
    ["&lt;3", "<3"],
    ["&amp;amp;", "&amp;"], // one pass only
    ["&amp", "&"], // legacy names need no ';'
    ["&ampfoo", "&foo"],
    ["&notit;", "¬it;"], // longest known prefix
    ["&notin;", "∉"],
    ["&foo;", "&foo;"],
    ["&#65;&#x42;&#67", "ABC"],
    ["&#128;", "€"], // C1 references read as Windows-1252
    ["&#0;", "\ufffd"],
    ["&#xD800;", "\ufffd"],
    ["&#99999999999;", "\ufffd"],
    ["a&#1;b", "ab"], // Python drops control characters and non-characters
    ["&#xFFFF;", ""],
    ["&#x7f;", ""],
    ["no entity", "no entity"],
  ];
  for (const [input, want] of cases) assert.equal(unescapeHtml(input), want, input);
});

test("cleanText: NFC, two rounds of unescaping, whitespace collapsed and stripped, lower case", () => {
  assert.equal(cleanText("  A  Photo\tof\n\nA DOG\u00a0 "), "a photo of a dog");
  assert.equal(cleanText("Fish &amp;amp; Chips"), "fish & chips");
  assert.equal(cleanText("e\u0301"), "\u00e9");
  assert.equal(cleanText("\x1c edge \x1f"), "edge", "Python's strip() also removes U+001C..U+001F");
  assert.equal(cleanText("in\x1cside"), "in\x1cside", "...but \\s does not match them inside the text");
  assert.equal(cleanText("a\ufeffb"), "a\ufeffb", "U+FEFF is not White_Space");
  assert.equal(prepareForTokens("  MiXeD  Case "), "mixed  case");
});

test("the pre-tokenizer splits like CLIP's pattern", () => {
  assert.deepEqual(pretokenize("it's they're we've i'm you'll he'd don't"), [
    "it", "'s", "they", "'re", "we", "'ve", "i", "'m", "you", "'ll", "he", "'d", "don", "'t",
  ]);
  assert.deepEqual(pretokenize("x'y ''s 'rx"), ["x", "'", "y", "''", "s", "'", "rx"]);
  assert.deepEqual(pretokenize("2nd 3.14 ١٢"), ["2", "nd", "3", ".", "1", "4", "١", "٢"]);
  assert.deepEqual(pretokenize("price: $3.50 (approx.) --!!"), ["price", ":", "$", "3", ".", "5", "0", "(", "approx", ".)", "--!!"]);
  assert.deepEqual(pretokenize("東京の夜景 naïve 🐶🐱x"), ["東京の夜景", "naïve", "🐶🐱", "x"]);
  assert.deepEqual(pretokenize("a.<|endoftext|>b<|startoftext|>"), ["a", ".<|", "endoftext", "|>", "b", "<|startoftext|>"]);
  assert.deepEqual(pretokenize("x\u0345y"), ["x", "y"], "U+0345 matches no alternative under IGNORECASE");
  assert.deepEqual(pretokenize("it'\u017f"), ["it", "'\u017f"], "'ſ case-folds to 's");
  assert.deepEqual(pretokenize("a\u3000b\u0085c\ufeffd"), ["a", "b", "c", "\ufeff", "d"]);
  assert.deepEqual(pretokenize(""), []);
});
