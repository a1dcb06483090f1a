// node:os for laclip's tokenizer in the browser: it only asks the byte order.
export function endianness() {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? "LE" : "BE";
}
