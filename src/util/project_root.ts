/**
 * The laclip package root (the first folder above this file that holds package.json) and the read-only shared
 * material beside it. Works from `src/` (tsx) and from `dist/src/` (compiled) alike.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The package root, or undefined when no package.json is above this file (a bundled copy, say). */
export function findProjectRoot(): string | undefined {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return (cached = dir);
}

/** The package root, falling back to the working directory. */
export function projectRoot(): string {
  return findProjectRoot() ?? process.cwd();
}

/** `LACLIP_SHARED`, else `../shared` beside the package root. */
export function sharedDir(): string {
  return resolve(process.env.LACLIP_SHARED ?? join(projectRoot(), "..", "shared"));
}
