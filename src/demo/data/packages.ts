/**
 * Where the emoji packages are installed. Lookup follows Node's own node_modules walk from this module (so it works
 * from `src/` under tsx and from `dist/src/` after a build), and callers may pass other node_modules folders first
 * (tests use a temporary folder holding a made-up icon set).
 */
import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

export const ICONIFY_SCOPE = "@iconify-json";

/** node_modules folders to search, the caller's first. */
export function moduleDirs(extra: readonly string[] = []): string[] {
  const own = createRequire(import.meta.url).resolve.paths("emojibase-data") ?? [];
  return [...new Set([...extra, ...own])].filter((d) => existsSync(d));
}

/** The folder of an installed package, or undefined. A package counts when `marker` exists inside it. */
export function findPackageDir(name: string, marker: string, dirs: readonly string[]): string | undefined {
  for (const d of dirs) {
    const dir = join(d, ...name.split("/"));
    if (existsSync(join(dir, marker))) return dir;
  }
  return undefined;
}

/** Names of the installed `@iconify-json/*` sets (those with an icons.json), sorted, first folder wins. */
export function installedIconSets(dirs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const d of dirs) {
    const scope = join(d, ICONIFY_SCOPE);
    if (!existsSync(scope)) continue;
    for (const entry of readdirSync(scope)) {
      if (existsSync(join(scope, entry, "icons.json"))) names.add(entry);
    }
  }
  return [...names].sort();
}

export async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, "utf8")) as unknown;
}

/** The `version` field of a package folder's package.json ("unknown" when absent, which only weakens caching). */
export async function packageVersion(dir: string): Promise<string> {
  try {
    const pkg = (await readJson(join(dir, "package.json"))) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}
