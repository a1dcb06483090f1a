/**
 * Assembles one prompt and enforces the prompt budget. "Over-long" means more than `maxChars` UTF-16 code units
 * (default 2000, about 500 LLaMA tokens for English). Like the reference script, an over-long prompt is cut and the
 * answer marker (` =>` for the arrow templates) re-added; the cut falls on the caption (at a word boundary when
 * one is near), so the examples stay whole. Only when the examples alone exceed the budget is the prompt cut
 * blindly. Engines with a token limit (llama) cut again by tokens the same way.
 */
import type { Example } from "../pools/draw.js";
import type { PromptTemplate } from "./templates.js";

export const DEFAULT_MAX_PROMPT_CHARS = 2000;

export interface BuiltPrompt {
  text: string;
  /** True when the prompt was over budget and cut. */
  truncated: boolean;
}

export function buildPrompt(template: PromptTemplate, header: string, examples: readonly Example[], rawCaption: string, maxChars = DEFAULT_MAX_PROMPT_CHARS): BuiltPrompt {
  // CSV, JSONL and tar captions may hold line breaks; the model answers up to the first newline, so a break left
  // in the query line would end the prompt's last line early and the answer would start mid-caption.
  const caption = flattenLines(rawCaption);
  const { prefix, suffix } = template.parts(header, examples, caption);
  const full = prefix + caption + suffix;
  if (full.length <= maxChars) return { text: full, truncated: false };
  const room = maxChars - prefix.length - suffix.length;
  if (room > 0) return { text: prefix + cutText(caption, room) + suffix, truncated: true };
  return { text: cutText(prefix, Math.max(0, maxChars - suffix.length)) + suffix, truncated: true };
}

/** Line breaks (and the spaces around them) become one space. */
export function flattenLines(text: string): string {
  return text.includes("\n") || text.includes("\r") ? text.replace(/[ \t]*[\r\n]+[ \t]*/g, " ") : text;
}

/** At most `max` code units of `text`, never splitting a surrogate pair, preferring to end at a space. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  const space = text.lastIndexOf(" ", end);
  if (space > end * 0.8) end = space;
  return text.slice(0, end).trimEnd();
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
