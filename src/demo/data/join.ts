/**
 * Which icon of a set draws which emoji. Sets spell icon names differently (`grinning-face`, `1f600`,
 * `emoji_u1f600`, `thumbs-up-dark` vs `thumbs-up-dark-skin-tone`), so names are the last resort:
 *   1. the set's `chars.json` (code point sequence -> icon or alias), which every current Iconify emoji set ships;
 *   2. a codepoint-style icon name (`1f600`, `u1f600`, `emoji_u1f600`);
 *   3. an icon name equal to the emoji's label as a slug (`face-in-clouds`), when that slug is unambiguous.
 * A match counts only when the catalogue knows the key, so a set's extra icons (logos, extra flags) never enter.
 * When several names draw one emoji, chars.json wins, then a real icon over an alias, then the first name in
 * sorted order, so the choice never depends on file order.
 */
import { hasSkinTone, keyFromHexcode, keyFromIconName, slugify } from "./codepoints.js";
import type { EmojiCatalogue } from "./emojibase.js";
import { resolveIcon, type IconSet } from "./icon_set.js";

export type MatchVia = "chars" | "codepoint-name" | "label-name";

export interface IconMatch {
  key: string;
  icon: string;
  via: MatchVia;
}

export interface JoinStats {
  icons: number;
  aliases: number;
  /** Catalogue emoji the set draws, by how they were found. */
  matched: number;
  via: Record<MatchVia, number>;
  /** Icons (not aliases) left without an emoji: skin-tone variants when excluded, components, non-emoji extras. */
  unmatchedIcons: number;
  /** chars.json entries that carry a skin tone (matched only with includeSkinTones). */
  skinToneChars: number;
}

export interface SetIndex {
  set: IconSet;
  byKey: Map<string, IconMatch>;
  stats: JoinStats;
}

export function indexIconSet(set: IconSet, catalogue: EmojiCatalogue): SetIndex {
  const byKey = new Map<string, IconMatch>();
  const usedNames = new Set<string>();
  const offer = (key: string | undefined, icon: string, via: MatchVia) => {
    if (key === undefined || !catalogue.entries.has(key) || !resolveIcon(set, icon)) return;
    usedNames.add(icon);
    const had = byKey.get(key);
    if (had === undefined || (had.via === via && had.icon in set.aliases && icon in set.icons)) byKey.set(key, { key, icon, via });
  };
  for (const seq of Object.keys(set.chars).sort()) offer(keyFromHexcode(seq), set.chars[seq]!, "chars");

  const slugs = labelSlugs(catalogue);
  const names = [...Object.keys(set.icons), ...Object.keys(set.aliases)].sort();
  for (const name of names) {
    if (usedNames.has(name)) continue;
    const byCode = keyFromIconName(name);
    if (byCode !== undefined && catalogue.entries.has(byCode)) offer(byCode, name, "codepoint-name");
    else offer(slugs.get(name), name, "label-name");
  }

  const mappedIcons = new Set([...byKey.values()].map((m) => resolveIcon(set, m.icon)!.parent));
  const iconNames = Object.keys(set.icons);
  const via: Record<MatchVia, number> = { chars: 0, "codepoint-name": 0, "label-name": 0 };
  for (const m of byKey.values()) via[m.via]++;
  const skinToneKeys = Object.keys(set.chars).map(keyFromHexcode).filter((k) => k !== undefined && hasSkinTone(k));
  return {
    set,
    byKey,
    stats: {
      icons: iconNames.length,
      aliases: Object.keys(set.aliases).length,
      matched: byKey.size,
      via,
      unmatchedIcons: iconNames.filter((n) => !mappedIcons.has(n)).length,
      skinToneChars: skinToneKeys.length,
    },
  };
}

/** label slug -> key, without slugs that two emoji share (they would name neither reliably). */
function labelSlugs(catalogue: EmojiCatalogue): Map<string, string> {
  const out = new Map<string, string>();
  const clash = new Set<string>();
  for (const e of catalogue.entries.values()) {
    const s = slugify(e.name);
    if (out.has(s)) clash.add(s);
    else out.set(s, e.key);
  }
  for (const s of clash) out.delete(s);
  return out;
}
