#!/usr/bin/env node
// Prints, one per line, the node_modules folders (relative to the project root) that the given packages need at
// run time: each package and, recursively, its dependencies and installed optional dependencies, resolved the
// way Node does (nearest node_modules up the tree). Used by bundle.sh to carry only what training needs.
//   node scripts/device/prod_deps.mjs ROOT PACKAGE...
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const [root, ...wanted] = process.argv.slice(2);
if (root === undefined || wanted.length === 0) {
  console.error("usage: prod_deps.mjs ROOT PACKAGE...");
  process.exit(2);
}
const seen = new Set();

function resolveFrom(fromDir, name) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

function visit(dir) {
  if (seen.has(dir)) return;
  seen.add(dir);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  for (const [deps, optional] of [[pkg.dependencies, false], [pkg.optionalDependencies, true]]) {
    for (const name of Object.keys(deps ?? {})) {
      const found = resolveFrom(dir, name);
      if (found !== undefined) visit(found);
      else if (!optional) throw new Error(`${name}, needed by ${relative(root, dir)}, is not installed`);
    }
  }
}

for (const name of wanted) {
  const dir = resolveFrom(root, name);
  if (dir === undefined) throw new Error(`${name} is not installed under ${root}/node_modules`);
  visit(dir);
}
console.log([...seen].map((d) => relative(root, d)).sort().join("\n"));
