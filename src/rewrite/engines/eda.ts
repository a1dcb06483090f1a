/**
 * Easy Data Augmentation (Wei & Zou, 2019) for captions: synonym replacement, random insertion of a synonym,
 * random swap, random deletion; one operation per rewrite, touching about `alpha` of the words (at least one).
 * Words keep their original spelling and punctuation except where an operation changes them. The paper behind
 * this project found such rewrites far weaker than LLM ones (ImageNet zero-shot on CC12M: EDA 41.2, LLM 48.4).
 */
import { Rng } from "../../util/rng.js";
import type { WordNet } from "./wordnet.js";

export const EDA_OPERATIONS = ["synonym", "insert", "swap", "delete"] as const;
export type EdaOperation = (typeof EDA_OPERATIONS)[number];

// Function words are never replaced and never used as insertion anchors (their "synonyms" are noise: a -> ampere).
const STOPWORDS = new Set(
  ("a an the and or but if of at by for with about against between into through during before after above below to from " +
    "up down in out on off over under again further then once here there when where why how all any both each few more " +
    "most other some such no nor not only own same so than too very can will just should now is are was were be been " +
    "being have has had having do does did doing i me my we our you your he him his she her it its they them their what " +
    "which who whom this that these those am as until while").split(" "),
);

export interface EdaOptions {
  /** Share of words an operation changes. Default 0.1 (EDA's default). */
  alpha?: number;
}

export function edaRewrite(caption: string, seed: number, wordnet: WordNet, o: EdaOptions = {}): string {
  const rng = new Rng(seed);
  const words = caption.split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return caption;
  const n = Math.max(1, Math.round((o.alpha ?? 0.1) * words.length));
  const op = EDA_OPERATIONS[rng.int(EDA_OPERATIONS.length)]!;
  return applyOperation(op, words, n, rng, wordnet).join(" ");
}

export function applyOperation(op: EdaOperation, words: string[], n: number, rng: Rng, wordnet: WordNet): string[] {
  const out = words.slice();
  switch (op) {
    case "synonym": {
      const candidates = rng.shuffle(out.map((_, i) => i).filter((i) => isContentWord(out[i]!)));
      let done = 0;
      for (const i of candidates) {
        const { core, before, after } = splitPunct(out[i]!);
        const syns = wordnet.synonyms(core);
        if (syns.length === 0) continue;
        out[i] = before + matchCase(syns[rng.int(syns.length)]!, core) + after;
        if (++done >= n) break;
      }
      return out;
    }
    case "insert": {
      const anchors = out.filter(isContentWord);
      for (let k = 0; k < n && anchors.length > 0; k++) {
        // like EDA: up to 10 tries to find a word that has a synonym
        for (let tries = 0; tries < 10; tries++) {
          const syns = wordnet.synonyms(splitPunct(anchors[rng.int(anchors.length)]!).core);
          if (syns.length === 0) continue;
          out.splice(rng.int(out.length + 1), 0, syns[rng.int(syns.length)]!);
          break;
        }
      }
      return out;
    }
    case "swap": {
      for (let k = 0; k < n && out.length >= 2; k++) {
        const i = rng.int(out.length);
        let j = rng.int(out.length - 1);
        if (j >= i) j++;
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    }
    case "delete": {
      // EDA deletes each word with probability alpha; keep at least one word
      const p = n / words.length;
      const kept = out.filter(() => rng.float() >= p);
      if (kept.length === 0) return [out[rng.int(out.length)]!];
      // a deletion that deleted nothing is no rewrite: drop one word instead
      if (kept.length === out.length && out.length > 1) kept.splice(rng.int(kept.length), 1);
      return kept;
    }
  }
}

function isContentWord(word: string): boolean {
  const core = splitPunct(word).core.toLowerCase();
  return /^[a-z][a-z'-]*$/.test(core) && !STOPWORDS.has(core);
}

function splitPunct(word: string): { before: string; core: string; after: string } {
  const m = /^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$/u.exec(word)!;
  return { before: m[1]!, core: m[2]!, after: m[3]! };
}

function matchCase(replacement: string, original: string): string {
  const first = original[0];
  return first !== undefined && first !== first.toLowerCase() ? replacement[0]!.toUpperCase() + replacement.slice(1) : replacement;
}
