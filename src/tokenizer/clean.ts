/**
 * CLIP's text cleanup before pre-tokenization: Unicode NFC, HTML unescaping twice, stripping, whitespace
 * collapsing and lower-casing, in OpenAI's order (ftfy.fix_text, html.unescape x2, strip, \s+ -> ' ', strip, lower).
 *
 * Of ftfy.fix_text only its NFC normalisation is done: no mojibake repair, no quote/ligature/width fixes. The
 * parity reference does the same, and its fixtures avoid text that ftfy would otherwise change.
 * Unicode tables are the JS engine's (Unicode 17 on Node 20.20); CPython 3.11's str.lower and NFC use Unicode 14,
 * so characters added since then may lower-case or compose differently.
 */
import { isPythonSpace } from "./char_class.js";
import { unescapeHtml } from "./html_unescape.js";

// Below U+0300 every character is NFC-stable and none combines with a neighbour, so NFC leaves such text as is.
const MAY_CHANGE_UNDER_NFC = /[\u0300-\uffff]/;
const WHITE_SPACE_RUN = /[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

function nfc(text: string): string {
  return MAY_CHANGE_UNDER_NFC.test(text) ? text.normalize("NFC") : text;
}

/** Python's str.strip(): removes str.isspace() characters from both ends. */
export function stripPython(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPythonSpace(text.charCodeAt(start))) start++;
  while (end > start && isPythonSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * The text CLIP tokenizes, minus the whitespace collapsing, which cannot change any token (the pre-tokenizer
 * skips whitespace); the encoder uses this to save a pass.
 */
export function prepareForTokens(text: string): string {
  return stripPython(unescapeHtml(unescapeHtml(nfc(text)))).toLowerCase();
}

/** The cleaned text exactly as CLIP's tokenizer sees it. */
export function cleanText(text: string): string {
  const unescaped = stripPython(unescapeHtml(unescapeHtml(nfc(text))));
  return stripPython(unescaped.replace(WHITE_SPACE_RUN, " ")).toLowerCase();
}
