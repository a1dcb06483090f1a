/**
 * The emoji catalogue from `emojibase-data`: every fully-qualified emoji with its name (emojibase's English
 * label, e.g. "grinning face"), group, subgroup and tags, keyed by `codepoints.ts` keys. Skin-tone variants are
 * left out unless asked for (they multiply people emoji by six with near-identical pictures and captions that
 * differ only in the tone words); the "component" group (bare skin tones and hair parts, which are modifiers,
 * not emoji) and the regional indicator letters (no group) are always left out.
 */
import { join } from "node:path";
import { ConfigError } from "../../errors/config_error.js";
import { FormatError } from "../../errors/format_error.js";
import { keyFromHexcode } from "./codepoints.js";
import { findPackageDir, packageVersion, readJson } from "./packages.js";

export interface EmojiEntry {
  key: string;
  /** emojibase's hexcode as written there (e.g. `2764-FE0F`). */
  hexcode: string;
  emoji: string;
  /** The caption name: emojibase's label with typographic quotes made ASCII ("one o'clock"). */
  name: string;
  group: string;
  subgroup: string;
  tags: string[];
  /** emojibase's sort order (ties broken by key), the order every output follows. */
  order: number;
  /** The base emoji's key for a skin-tone variant. */
  skinOf?: string;
}

export interface EmojiCatalogue {
  version: string;
  dir: string;
  entries: Map<string, EmojiEntry>;
}

interface RawEmoji {
  label?: string;
  hexcode?: string;
  emoji?: string;
  tags?: string[];
  order?: number;
  group?: number;
  subgroup?: number;
  skins?: RawEmoji[];
}

interface RawGroups {
  groups: Record<string, string>;
  subgroups: Record<string, string>;
}

export async function loadEmojibase(dirs: readonly string[], options: { includeSkinTones?: boolean } = {}): Promise<EmojiCatalogue> {
  const dir = findPackageDir("emojibase-data", join("en", "data.json"), dirs);
  if (!dir) throw new ConfigError(`emojibase-data is not installed (searched ${dirs.join(", ")}); run npm ci`, "emojibase-data");
  const dataFile = join(dir, "en", "data.json");
  const data = (await readJson(dataFile)) as RawEmoji[];
  const meta = (await readJson(join(dir, "meta", "groups.json"))) as RawGroups;
  if (!Array.isArray(data) || typeof meta?.groups !== "object" || typeof meta?.subgroups !== "object") {
    throw new FormatError("expected an array of emoji and a groups/subgroups map", { file: dataFile });
  }
  const entries = new Map<string, EmojiEntry>();
  const add = (raw: RawEmoji, base?: EmojiEntry) => {
    const group = meta.groups[String(raw.group ?? base?.group)];
    if (raw.hexcode === undefined || raw.label === undefined || group === undefined || group === "component") return undefined;
    const key = keyFromHexcode(raw.hexcode);
    if (key === undefined) throw new FormatError(`bad hexcode '${raw.hexcode}'`, { file: dataFile, key: raw.label });
    const entry: EmojiEntry = {
      key,
      hexcode: raw.hexcode,
      emoji: raw.emoji ?? "",
      name: asciiQuotes(raw.label),
      group,
      subgroup: meta.subgroups[String(raw.subgroup)] ?? base?.subgroup ?? "other",
      tags: raw.tags ?? base?.tags ?? [],
      order: raw.order ?? base?.order ?? Number.MAX_SAFE_INTEGER,
      ...(base ? { skinOf: base.key } : {}),
    };
    if (!entries.has(key)) entries.set(key, entry);
    return entry;
  };
  for (const raw of data) {
    const base = add(raw);
    if (base && options.includeSkinTones) for (const skin of raw.skins ?? []) add(skin, base);
  }
  return { version: await packageVersion(dir), dir, entries };
}

function asciiQuotes(s: string): string {
  return s.replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"');
}
