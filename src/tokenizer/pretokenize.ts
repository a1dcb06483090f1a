/**
 * CLIP's pre-tokenizer, written as a scanner instead of a regex. The pattern it reproduces (Python `regex`,
 * IGNORECASE, matched with findall) is
 *
 *   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
 *
 * Alternatives are tried in that order at each position; whitespace is skipped. A scanner visits each code unit
 * once, never backtracks and makes no match objects. The special-token strings only bound a pre-token here: they
 * are encoded as ordinary text, as the parity fixtures require (OpenAI's own code would map them to SOT/EOT).
 */
import { charClass, NUMBER, SEPARATOR } from "./char_class.js";

const SPECIALS = ["<|startoftext|>", "<|endoftext|>"];

/** True when cp equals the lower-case ASCII letter `lower` under simple case folding, as IGNORECASE compares. */
function foldsTo(cp: number, lower: number): boolean {
  return cp === lower || cp === lower - 32 || (lower === 0x73 && cp === 0x17f) || (lower === 0x6b && cp === 0x212a);
}

/** Whether `pattern` (ASCII) matches text at i case-insensitively. */
function matchesAt(text: string, i: number, pattern: string): boolean {
  if (i + pattern.length > text.length) return false;
  for (let k = 0; k < pattern.length; k++) {
    const p = pattern.charCodeAt(k);
    const c = text.charCodeAt(i + k);
    if (p >= 0x61 && p <= 0x7a ? !foldsTo(c, p) : c !== p) return false;
  }
  return true;
}

/** Length in code units of a contraction starting at the apostrophe at i, or 0. */
function contractionAt(text: string, i: number): number {
  const c1 = text.charCodeAt(i + 1); // NaN past the end compares false everywhere
  if (foldsTo(c1, 0x73) || foldsTo(c1, 0x74) || foldsTo(c1, 0x6d) || foldsTo(c1, 0x64)) return 2; // 's 't 'm 'd
  const c2 = text.charCodeAt(i + 2);
  if ((foldsTo(c1, 0x72) || foldsTo(c1, 0x76)) && foldsTo(c2, 0x65)) return 3; // 're 've
  if (foldsTo(c1, 0x6c) && foldsTo(c2, 0x6c)) return 3; // 'll
  return 0;
}

function codePointAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/**
 * Calls `visit(start, end)` for each pre-token of `text` (code-unit offsets), in order; stops early when `visit`
 * returns false (the encoder stops once the context is full).
 */
export function scanPretokens(text: string, visit: (start: number, end: number) => boolean | void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const cp = codePointAt(text, i);
    const width = cp > 0xffff ? 2 : 1;
    const cls = charClass(cp);
    if (cls === SEPARATOR) {
      i += width;
      continue;
    }
    if (cp === 0x3c) {
      const special = SPECIALS.find((s) => matchesAt(text, i, s));
      if (special !== undefined) {
        if (visit(i, i + special.length) === false) return;
        i += special.length;
        continue;
      }
    } else if (cp === 0x27) {
      const len = contractionAt(text, i);
      if (len > 0) {
        if (visit(i, i + len) === false) return;
        i += len;
        continue;
      }
    }
    if (cls === NUMBER) {
      if (visit(i, i + width) === false) return;
      i += width;
      continue;
    }
    // a run of letters, or a run of "other" characters
    const start = i;
    i += width;
    while (i < n) {
      const next = codePointAt(text, i);
      if (charClass(next) !== cls) break;
      i += next > 0xffff ? 2 : 1;
    }
    if (visit(start, i) === false) return;
  }
}

/** The pre-tokens of `text` as strings (convenient for tests and training; the encoder uses scanPretokens). */
export function pretokenize(text: string): string[] {
  const out: string[] = [];
  scanPretokens(text, (s, e) => {
    out.push(text.slice(s, e));
  });
  return out;
}
