/**
 * Where the read-only shared material lives (`../shared` beside the project root, or LACLIP_SHARED).
 * Tests that need it call `sharedPath(t, ...)`, which skips the test with one line when it is absent.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";

/** The project root, found from this file whether it runs from `test/` (tsx) or `dist/test/` (compiled). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export function sharedDir(): string {
  return resolve(process.env.LACLIP_SHARED ?? join(projectRoot(), "..", "shared"));
}

/** Returns the path under the shared folder, or skips the test (one line) and returns undefined. */
export function sharedPath(t: TestContext, ...parts: string[]): string | undefined {
  const p = join(sharedDir(), ...parts);
  if (!existsSync(p)) {
    t.skip(`shared material absent: ${p}`);
    return undefined;
  }
  return p;
}
