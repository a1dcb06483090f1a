/**
 * The byte-level alphabet of GPT-2/CLIP BPE. Every byte gets a printable character so that merges files are plain
 * text without spaces or control characters: bytes that are already printable Latin-1 keep their own code point,
 * the rest (controls, space, 0x7f-0xa0, 0xad) take U+0100 upwards in byte order.
 *
 * The order of `BYTE_ORDER` is the order of the first 256 vocabulary ids (the printable ranges first), which is
 * why a byte's id is not the byte's value.
 */

function printable(b: number): boolean {
  return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

function build(): { order: Uint8Array; chars: string[] } {
  const order: number[] = [];
  const chars: string[] = new Array<string>(256);
  for (let b = 0; b < 256; b++) {
    if (printable(b)) {
      order.push(b);
      chars[b] = String.fromCharCode(b);
    }
  }
  let next = 256;
  for (let b = 0; b < 256; b++) {
    if (!printable(b)) {
      order.push(b);
      chars[b] = String.fromCharCode(next++);
    }
  }
  return { order: Uint8Array.from(order), chars };
}

const table = build();

/** The byte behind vocabulary id i, for i in 0..255. */
export const BYTE_ORDER: Uint8Array = table.order;

/** byte value -> its one-character stand-in. */
export const BYTE_TO_CHAR: readonly string[] = table.chars;

/** one-character stand-in -> byte value. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(table.chars.map((c, b) => [c, b]));

/** byte value -> vocabulary id of the byte symbol (add 256 for the same byte ending a word, `</w>`). */
export const BYTE_TO_ID: Uint16Array = (() => {
  const ids = new Uint16Array(256);
  BYTE_ORDER.forEach((b, i) => (ids[b] = i));
  return ids;
})();

/** Marks the last symbol of a pre-token; merges and vocab entries carry it as a suffix. */
export const END_OF_WORD = "</w>";
