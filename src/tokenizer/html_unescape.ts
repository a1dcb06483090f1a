/**
 * Python's `html.unescape`, which CLIP applies twice. Named references are decoded by the `entities` package
 * (the WHATWG HTML5 table, legacy names accepted without `;`, longest known prefix of an unknown name), which
 * agrees with Python on them. Numeric references follow Python's rules, which differ from the HTML spec that
 * `entities` implements: Python drops references to control characters and non-characters (`&#1;`, `&#xFFFF;`
 * give ''), where `entities` would keep the character.
 */
import { decodeHTML, replaceCodePoint } from "entities/decode";

// Python's reference syntax: a decimal or hex number, or up to 32 name characters, each with an optional ';'.
const REFERENCE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

function droppedByPython(cp: number): boolean {
  return (
    (cp >= 0x1 && cp <= 0x8) ||
    cp === 0xb ||
    (cp >= 0xe && cp <= 0x1f) ||
    (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0xfdd0 && cp <= 0xfdef) ||
    (cp & 0xfffe) === 0xfffe
  );
}

function numeric(body: string): string {
  const hex = body[1] === "x" || body[1] === "X";
  const digits = body.slice(hex ? 2 : 1).replace(/;$/, "");
  const cp = parseInt(digits, hex ? 16 : 10); // may exceed 0x10FFFF or be Infinity: both give U+FFFD below
  if (cp === 0 || (cp >= 0x80 && cp <= 0x9f)) return String.fromCodePoint(replaceCodePoint(cp)); // NUL, cp1252 C1
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return "\ufffd";
  if (droppedByPython(cp)) return "";
  return String.fromCodePoint(cp);
}

/** One pass of Python's html.unescape. */
export function unescapeHtml(text: string): string {
  if (text.indexOf("&") === -1) return text;
  return text.replace(REFERENCE, (match: string, body: string) => (body[0] === "#" ? numeric(body) : decodeHTML(match)));
}
