/**
 * One spelling for an emoji's code point sequence, so that the icon sets' `chars.json` keys, emojibase hexcodes
 * and codepoint-style icon names meet: lower-case hex without leading zeros, joined by '-', with the variation
 * selectors U+FE0F/U+FE0E removed (sets and emojibase disagree on where they write them, and no two emoji differ
 * only by one). ZWJ (200d), keycap (20e3), tag and skin-tone code points are kept: they change the emoji.
 */

const VARIATION_SELECTORS = new Set([0xfe0f, 0xfe0e]);
const SKIN_TONES = new Set([0x1f3fb, 0x1f3fc, 0x1f3fd, 0x1f3fe, 0x1f3ff]);

/** The key of a code point list, or undefined when a value is not a Unicode scalar. */
export function sequenceKey(codePoints: readonly number[]): string | undefined {
  const kept = codePoints.filter((c) => !VARIATION_SELECTORS.has(c));
  if (kept.length === 0 || kept.some((c) => !Number.isInteger(c) || c < 0 || c > 0x10ffff)) return undefined;
  return kept.map((c) => c.toString(16)).join("-");
}

/** The key of a hexcode such as emojibase's `1F636-200D-1F32B-FE0F` or a chars.json key `1f636-200d-1f32b`. */
export function keyFromHexcode(hexcode: string): string | undefined {
  const parts = hexcode.trim().split(/[-_ ]/);
  if (parts.some((p) => !/^[0-9a-fA-F]{1,6}$/.test(p))) return undefined;
  return sequenceKey(parts.map((p) => parseInt(p, 16)));
}

/**
 * The key spelled by a codepoint-style icon name: `1f600`, `u1f600`, `emoji_u1f600`, `emoji-u1f636-200d-1f32b`.
 * A bare name must start with 4+ hex digits led by a decimal digit (every emoji code point of 4+ digits is
 * 2xxx, 3xxx or 1fxxx), so that words and digit names (`0`, `face`, `cafe`, `add`) never read as code points;
 * the answer is only a candidate, kept when emojibase knows the key.
 */
export function keyFromIconName(name: string): string | undefined {
  const m = /^(emoji[-_]?)?(u)?([0-9a-f]{2,6}(?:[-_][0-9a-f]{2,6})*)$/i.exec(name);
  if (!m) return undefined;
  const parts = m[3]!.split(/[-_]/);
  if (!m[1] && !m[2] && !/^[0-9][0-9a-f]{3}/i.test(parts[0]!)) return undefined;
  return sequenceKey(parts.map((p) => parseInt(p, 16)));
}

/** The code points of a key (for the emoji string). */
export function keyCodePoints(key: string): number[] {
  return key.split("-").map((p) => parseInt(p, 16));
}

export function hasSkinTone(key: string): boolean {
  return keyCodePoints(key).some((c) => SKIN_TONES.has(c));
}

/**
 * An emoji label as an Iconify-style icon name: `face in clouds` -> `face-in-clouds`, `piñata` -> `pinata`,
 * `flag: Côte d’Ivoire` -> `flag-cote-d-ivoire`, `keycap: *` -> `keycap`. Used only where a set has no chars map
 * entry for an icon.
 */
export function slugify(label: string): string {
  return label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
