/**
 * Quality control of one candidate rewrite. The completion is cut at its first newline and stripped (the paper's
 * parsing); then the first failing rule below names the reject reason. Limits are options so a user can loosen
 * them; the defaults are meant to catch broken generations, not to judge style.
 */
import type { RejectReason } from "../types.js";

export interface QualityOptions {
  /** Fewer words than this is `too_short` (the paper's trainer drops texts under 2 words). Default 2. */
  minWords?: number;
  /** More characters than `maxLengthRatio` x the input's (plus `lengthSlack`) is `too_long`. Default 4. */
  maxLengthRatio?: number;
  /** Added to the ratio limit so very short inputs may still get a fuller rewrite. Default 80. */
  lengthSlack?: number;
  /** Absolute cap in characters, whatever the input. Default 400 (77 tokens rarely exceed ~350 characters). */
  maxChars?: number;
  /** Substrings that mean the model copied the prompt's format (e.g. `=>`). */
  echoMarkers?: readonly string[];
}

export type QualityResult = { ok: true; text: string } | { ok: false; reason: RejectReason; text: string };

/** The paper's parsing: everything up to the first newline, stripped. */
export function parseCompletion(raw: string): string {
  const nl = raw.search(/\r?\n|\r/);
  return (nl < 0 ? raw : raw.slice(0, nl)).trim();
}

export function checkRewrite(raw: string, input: string, o: QualityOptions = {}): QualityResult {
  const text = parseCompletion(raw);
  const reject = (reason: RejectReason): QualityResult => ({ ok: false, reason, text });
  if (text === "") return reject("empty");
  if (hasNonPrintable(text)) return reject("non_printable");
  if ((o.echoMarkers ?? ["=>"]).some((m) => text.includes(m))) return reject("prompt_echo");
  const words = text.split(/\s+/).filter((w) => w !== "");
  if (words.length < (o.minWords ?? 2)) return reject("too_short");
  if (normalise(text) === normalise(input)) return reject("identical");
  const limit = Math.min(o.maxChars ?? 400, (o.maxLengthRatio ?? 4) * input.trim().length + (o.lengthSlack ?? 80));
  if (text.length > limit) return reject("too_long");
  if (isRepetitive(words)) return reject("repetition");
  return { ok: true, text };
}

/** Case-, punctuation- and spacing-insensitive form, for the `identical` rule. */
export function normalise(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Control characters (other than tab), unassigned/private-use code points, lone surrogates and U+FFFD (what a
 * broken UTF-8 decode leaves behind).
 */
export function hasNonPrintable(text: string): boolean {
  return /[\p{Cc}\p{Cn}\p{Co}\p{Cs}\uFFFD]/u.test(text.replace(/\t/g, " "));
}

/**
 * Degenerate repetition, the usual failure of sampling from a small or badly prompted model: one word making up
 * more than half of a text of 6+ words, the same word 4+ times in a row, or an n-gram (n = 2..4) repeated back to
 * back 3+ times ("a dog a dog a dog").
 */
export function isRepetitive(words: readonly string[]): boolean {
  const w = words.map((x) => x.toLowerCase().replace(/[\p{P}]+/gu, "")).filter((x) => x !== "");
  if (w.length >= 6) {
    const counts = new Map<string, number>();
    for (const x of w) counts.set(x, (counts.get(x) ?? 0) + 1);
    const max = Math.max(...counts.values());
    if (max * 2 > w.length) return true;
  }
  for (let n = 1; n <= 4; n++) {
    const needed = n === 1 ? 4 : 3;
    for (let start = 0; start + n * needed <= w.length; start++) {
      let reps = 1;
      while (start + (reps + 1) * n <= w.length && sameSpan(w, start, start + reps * n, n)) reps++;
      if (reps >= needed) return true;
    }
  }
  return false;
}

function sameSpan(w: readonly string[], a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (w[a + i] !== w[b + i]) return false;
  return true;
}
