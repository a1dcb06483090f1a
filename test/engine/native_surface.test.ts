/** The addon's exports and the interface that describes them (src/engine/native_types.ts) name the same functions. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { N } from "../../src/engine/native.js";

test("native_types.ts lists exactly the functions the addon exports", () => {
  const root = join(fileURLToPath(import.meta.url), "..", "..", "..");
  const srcRoot = root.endsWith("dist") ? join(root, "..") : root;
  const text = readFileSync(join(srcRoot, "src", "engine", "native_types.ts"), "utf8");
  const body = text.slice(text.indexOf("export interface NativeAddon"));
  const declared = new Set([...body.matchAll(/(?:^|[\s;])([A-Za-z][A-Za-z0-9_]*)\(/gm)].map((m) => m[1]!));
  // names inside parameter types (e.g. `factory: (op...) => Error`) are not methods; keep those the addon has or that
  // are followed by a method signature
  const exported = new Set(Object.keys(N));
  const methods = [...declared].filter((n) => new RegExp(`(?:^|[\\s;])${n}\\(`, "m").test(body));
  const missing = [...exported].filter((n) => !declared.has(n));
  const extra = methods.filter((n) => !exported.has(n));
  assert.deepEqual(missing, [], "exported by the addon but not described in native_types.ts");
  assert.deepEqual(extra, [], "described in native_types.ts but not exported by the addon");
  for (const n of exported) assert.equal(typeof (N as unknown as Record<string, unknown>)[n], "function");
});
