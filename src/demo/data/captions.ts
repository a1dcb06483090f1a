/**
 * Training captions. A caption is the emoji's name ("grinning face"), nothing else: no style words, no carrier
 * phrase, so the text carries exactly what the picture shows and the held-out style cannot leak in. With
 * `keywords`, emojibase's tags that are not already words of the name follow it ("grinning face, cheerful,
 * cheery, grin, happy, ..."); off by default, because it makes captions longer than the names the zero-shot
 * evaluation asks for.
 */
import type { EmojiEntry } from "./emojibase.js";

export function caption(entry: EmojiEntry, options: { keywords?: boolean } = {}): string {
  if (!options.keywords) return entry.name;
  const words = new Set(entry.name.toLowerCase().split(/[^a-z0-9]+/));
  const extra = entry.tags.filter((t) => !words.has(t.toLowerCase()));
  return extra.length ? `${entry.name}, ${extra.join(", ")}` : entry.name;
}

/** A subgroup id as a class name: `face-smiling` -> `face smiling`. */
export function humaniseSubgroup(subgroup: string): string {
  return subgroup.replace(/-/g, " ");
}
