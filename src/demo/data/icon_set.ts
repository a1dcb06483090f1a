/**
 * One installed Iconify JSON set (`@iconify-json/<name>`): its icons, aliases and `chars.json` map, and the
 * resolution of a name (icon or alias chain) into the SVG body, view box and transforms that draw it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../errors/config_error.js";
import { FormatError } from "../../errors/format_error.js";
import { ICONIFY_SCOPE, findPackageDir, installedIconSets, packageVersion, readJson } from "./packages.js";

interface IconProps {
  left?: number;
  top?: number;
  width?: number;
  height?: number;
  rotate?: number;
  hFlip?: boolean;
  vFlip?: boolean;
}

interface RawIcon extends IconProps {
  body: string;
}

interface RawAlias extends IconProps {
  parent: string;
}

export interface IconSet {
  name: string;
  version: string;
  dir: string;
  icons: Record<string, RawIcon>;
  aliases: Record<string, RawAlias>;
  /** chars.json: code point sequence -> icon or alias name; empty when the set has none. */
  chars: Record<string, string>;
  defaults: Required<Pick<IconProps, "left" | "top" | "width" | "height">>;
}

/** What `svg.ts` needs to draw one icon. `parent` names the icon whose body it is (itself unless an alias). */
export interface ResolvedIcon {
  name: string;
  parent: string;
  body: string;
  left: number;
  top: number;
  width: number;
  height: number;
  /** Quarter turns clockwise, 0-3. */
  rotate: number;
  hFlip: boolean;
  vFlip: boolean;
}

export async function loadIconSet(name: string, dirs: readonly string[]): Promise<IconSet> {
  const dir = /^[a-z0-9][a-z0-9._-]*$/i.test(name) ? findPackageDir(`${ICONIFY_SCOPE}/${name}`, "icons.json", dirs) : undefined;
  if (!dir) {
    const have = installedIconSets(dirs);
    throw new ConfigError(
      `style '${name}' is not an installed icon set; installed ${ICONIFY_SCOPE} sets: ` +
        `${have.length ? have.join(", ") : "(none)"} (install another with npm i ${ICONIFY_SCOPE}/<set>)`,
      "styles",
    );
  }
  const file = join(dir, "icons.json");
  const raw = (await readJson(file)) as Partial<IconSet> & IconProps;
  if (typeof raw.icons !== "object" || raw.icons === null) throw new FormatError("no 'icons' object", { file });
  const charsFile = join(dir, "chars.json");
  const chars = existsSync(charsFile) ? ((await readJson(charsFile)) as Record<string, string>) : {};
  return {
    name,
    version: await packageVersion(dir),
    dir,
    icons: raw.icons,
    aliases: raw.aliases ?? {},
    chars,
    defaults: { left: raw.left ?? 0, top: raw.top ?? 0, width: raw.width ?? 16, height: raw.height ?? 16 },
  };
}

/** Follows aliases to the icon; alias transforms compose with the parent's, alias sizes override. */
export function resolveIcon(set: IconSet, name: string): ResolvedIcon | undefined {
  const chain: IconProps[] = [];
  let at = name;
  while (!(at in set.icons)) {
    const alias = set.aliases[at];
    if (!alias || chain.length > 16) return undefined; // missing parent or a cycle
    chain.push(alias);
    at = alias.parent;
  }
  const icon = set.icons[at]!;
  const out: ResolvedIcon = {
    name,
    parent: at,
    body: icon.body,
    left: icon.left ?? set.defaults.left,
    top: icon.top ?? set.defaults.top,
    width: icon.width ?? set.defaults.width,
    height: icon.height ?? set.defaults.height,
    rotate: (icon.rotate ?? 0) % 4,
    hFlip: icon.hFlip ?? false,
    vFlip: icon.vFlip ?? false,
  };
  for (const a of chain.reverse()) {
    if (a.left !== undefined) out.left = a.left;
    if (a.top !== undefined) out.top = a.top;
    if (a.width !== undefined) out.width = a.width;
    if (a.height !== undefined) out.height = a.height;
    out.rotate = (out.rotate + (a.rotate ?? 0)) % 4;
    out.hFlip = out.hFlip !== (a.hFlip ?? false);
    out.vFlip = out.vFlip !== (a.vFlip ?? false);
  }
  return out;
}

/** Two names draw the same picture (same body, box and transforms): such emoji cannot be told apart. */
export function glyphIdentity(icon: ResolvedIcon): string {
  const { body, left, top, width, height, rotate, hFlip, vFlip } = icon;
  return JSON.stringify([body, left, top, width, height, rotate, hFlip, vFlip]);
}
