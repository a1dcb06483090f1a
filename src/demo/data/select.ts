/**
 * The demo's emoji: those every chosen style draws (train and eval alike, so each has a caption in training and
 * a picture at evaluation), minus those an evaluation style draws with the very same picture as another chosen
 * emoji (e.g. a set aliasing "grinning cat" to "cat face"): no model can tell such a pair apart, so keeping them
 * would only add a fixed error to the exact-name score. Duplicates inside training styles stay (a caption
 * noise that real data has too) and are counted. `maxEmoji` keeps a seeded random subset; the output is always
 * in emojibase order.
 */
import { Rng, deriveSeed } from "../../util/rng.js";
import type { EmojiCatalogue, EmojiEntry } from "./emojibase.js";
import { glyphIdentity, resolveIcon } from "./icon_set.js";
import type { SetIndex } from "./join.js";

export interface Selection {
  emoji: EmojiEntry[];
  /** Emoji drawn by all styles, before any drop. */
  inAllStyles: number;
  /** Dropped because an eval style draws them identically to another emoji, with the style and the names. */
  duplicateEval: { style: string; names: string[] }[];
  /** Emoji whose picture in a training style is shared with another selected emoji (kept). */
  duplicateTrain: number;
}

export interface SelectOptions {
  train: SetIndex[];
  eval: SetIndex[];
  seed: number;
  maxEmoji?: number;
  keepDuplicateGlyphs?: boolean;
}

export function selectEmoji(catalogue: EmojiCatalogue, options: SelectOptions): Selection {
  const all = [...options.train, ...options.eval];
  let keys = [...catalogue.entries.keys()].filter((k) => all.every((s) => s.byKey.has(k)));
  const inAllStyles = keys.length;
  const duplicateEval: Selection["duplicateEval"] = [];
  if (!options.keepDuplicateGlyphs) {
    const drop = new Set<string>();
    for (const s of options.eval) {
      for (const group of sharedGlyphs(s, keys)) {
        group.forEach((k) => drop.add(k));
        duplicateEval.push({ style: s.set.name, names: group.map((k) => catalogue.entries.get(k)!.name) });
      }
    }
    keys = keys.filter((k) => !drop.has(k));
  }
  if (options.maxEmoji !== undefined && options.maxEmoji < keys.length) {
    keys = new Rng(deriveSeed(options.seed, "demo-emoji-subset")).sample(keys, options.maxEmoji);
  }
  const emoji = keys.map((k) => catalogue.entries.get(k)!).sort((a, b) => a.order - b.order || (a.key < b.key ? -1 : 1));
  const chosen = emoji.map((e) => e.key);
  const duplicateTrain = new Set(options.train.flatMap((s) => sharedGlyphs(s, chosen).flat())).size;
  return { emoji, inAllStyles, duplicateEval, duplicateTrain };
}

/** Groups (of 2+) of keys that a style draws with an identical picture. */
function sharedGlyphs(index: SetIndex, keys: readonly string[]): string[][] {
  const byGlyph = new Map<string, string[]>();
  for (const k of keys) {
    const id = glyphIdentity(resolveIcon(index.set, index.byKey.get(k)!.icon)!);
    const list = byGlyph.get(id);
    if (list) list.push(k);
    else byGlyph.set(id, [k]);
  }
  return [...byGlyph.values()].filter((g) => g.length > 1);
}
