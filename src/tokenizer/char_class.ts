/**
 * Character classes of CLIP's pre-tokenizer pattern, which OpenAI compiles with Python's `regex` module and
 * IGNORECASE: letters (\p{L}), numbers (\p{N}), whitespace (\s) and everything else. Letters and numbers come
 * from the JS engine's Unicode tables (they equal `regex`'s for every code point as of Unicode 17). Whitespace is
 * `regex`'s \s, i.e. Unicode White_Space: that includes U+0085 and excludes U+FEFF, unlike JS's \s.
 */

export const SEPARATOR = 0;
export const LETTER = 1;
export const NUMBER = 2;
export const OTHER = 3;
export type CharClass = typeof SEPARATOR | typeof LETTER | typeof NUMBER | typeof OTHER;

/** Unicode White_Space: what `regex` treats as \s, and so what CLIP collapses and splits on. */
const WHITE_SPACE = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
  0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];

/** Python's str.isspace(), which `strip()` uses: White_Space plus the separators U+001C..U+001F. */
export function isPythonSpace(cp: number): boolean {
  return (cp >= 0x1c && cp <= 0x1f) || WHITE_SPACE.includes(cp);
}

const LETTER_RE = /^\p{L}$/u;
const NUMBER_RE = /^\p{N}$/u;
const UNKNOWN = 255;
const bmp = new Uint8Array(0x10000).fill(UNKNOWN);
const astral = new Map<number, CharClass>();

function compute(cp: number): CharClass {
  // U+0345 folds to a letter, but under IGNORECASE `regex` matches it neither as \p{L} nor as [^\s\p{L}\p{N}],
  // so findall steps over it like whitespace.
  if (cp === 0x345 || WHITE_SPACE.includes(cp)) return SEPARATOR;
  const ch = String.fromCodePoint(cp);
  if (LETTER_RE.test(ch)) return LETTER;
  if (NUMBER_RE.test(ch)) return NUMBER;
  return OTHER;
}

/** The class of a code point (lone surrogates are OTHER, as in Python). */
export function charClass(cp: number): CharClass {
  if (cp < 0x10000) {
    let c = bmp[cp]!;
    if (c === UNKNOWN) bmp[cp] = c = compute(cp);
    return c as CharClass;
  }
  let c = astral.get(cp);
  if (c === undefined) astral.set(cp, (c = compute(cp)));
  return c;
}
