/**
 * Token ids back to text: each token's byte-alphabet characters become their bytes, `</w>` becomes a space, and
 * the bytes are read as UTF-8 with U+FFFD for invalid sequences (Python's errors="replace" does the same).
 * Pre-tokens are joined by single spaces, so text whose pre-tokens were not space-separated (`a.b` is three
 * pre-tokens) comes back spaced out (`a . b`): CLIP's `</w>` records where a pre-token ends, not the spacing.
 */
import { ConfigError } from "../errors/config_error.js";
import { CHAR_TO_BYTE, END_OF_WORD } from "./bytes_unicode.js";
import type { BpeVocab } from "./vocab.js";

const SPACE = 0x20;

export class TokenDecoder {
  private readonly bytes: Array<Uint8Array | undefined>;
  private readonly endsWord: Uint8Array;
  private readonly utf8 = new TextDecoder("utf-8");

  constructor(private readonly vocab: BpeVocab) {
    this.bytes = new Array<Uint8Array | undefined>(vocab.size);
    this.endsWord = new Uint8Array(vocab.size);
  }

  private tokenBytes(id: number): Uint8Array {
    let b = this.bytes[id];
    if (b === undefined) {
      let token = this.vocab.tokens[id]!;
      if (token.endsWith(END_OF_WORD)) {
        token = token.slice(0, -END_OF_WORD.length);
        this.endsWord[id] = 1;
      }
      b = Uint8Array.from(Array.from(token, (ch) => CHAR_TO_BYTE.get(ch)!));
      this.bytes[id] = b;
    }
    return b;
  }

  /**
   * Decodes one sequence: SOT is skipped, the first EOT ends it (what follows is padding), and the space after
   * the last word is dropped.
   */
  decode(ids: ArrayLike<number>): string {
    const { sot, eot, size } = this.vocab;
    const out: number[] = [];
    let trailingSpace = false;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === eot) break;
      if (id === sot) continue;
      if (!(Number.isInteger(id) && id >= 0 && id < size)) {
        throw new ConfigError(`token id ${id} at position ${i} is outside the vocabulary (0..${size - 1})`, "ids");
      }
      for (const b of this.tokenBytes(id)) out.push(b);
      trailingSpace = this.endsWord[id] === 1;
      if (trailingSpace) out.push(SPACE);
    }
    if (trailingSpace) out.pop();
    return this.utf8.decode(Uint8Array.from(out));
  }
}
