/**
 * Where the read-only shared material lives (`../shared` beside the project root, or LACLIP_SHARED).
 * Tests that need it call `sharedPath(t, ...)`, which skips the test with one line when it is absent.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sharedDir } from "../../src/util/project_root.js";
import type { TestContext } from "node:test";

export { projectRoot, sharedDir } from "../../src/util/project_root.js";

/** Returns the path under the shared folder, or skips the test (one line) and returns undefined. */
export function sharedPath(t: TestContext, ...parts: string[]): string | undefined {
  const p = join(sharedDir(), ...parts);
  if (!existsSync(p)) {
    t.skip(`shared material absent: ${p}`);
    return undefined;
  }
  return p;
}
