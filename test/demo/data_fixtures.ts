/**
 * Fixtures for the demo data tests: temporary folders, and a made-up `@iconify-json` set with no chars.json, so
 * the name-based join, alias flips and bad artwork are exercised on icons whose answers the test knows.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-demo-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A dark bar on the left half of a 16x16 box: its mirror image is a bar on the right half. */
export const LEFT_BAR = '<rect x="0" y="0" width="8" height="16" fill="#000"/>';

export const FAKE_ICONS = {
  /** codepoint-style names */
  "1f600": '<circle cx="8" cy="8" r="7" fill="#fc0"/>',
  emoji_u2764: '<path d="M8 14L2 7a3 3 0 0 1 6-3a3 3 0 0 1 6 3z" fill="#d00"/>',
  /** a label slug */
  "face-in-clouds": '<circle cx="8" cy="8" r="6" fill="#999"/>',
  /** a label slug whose mirror image is an alias */
  "backhand-index-pointing-left": LEFT_BAR,
  /** artwork librsvg cannot parse (unclosed tag) */
  "1f602": '<path d="M0 0L16 16"',
  /** artwork that draws nothing */
  "1f603": "<g/>",
  /** not an emoji */
  "company-logo": '<rect width="16" height="16" fill="#00f"/>',
};

export async function fakeIconSet(root: string, name = "fake-emoji"): Promise<string> {
  const modules = join(root, "node_modules");
  const dir = join(modules, "@iconify-json", name);
  await mkdir(dir, { recursive: true });
  const icons = Object.fromEntries(Object.entries(FAKE_ICONS).map(([k, body]) => [k, { body }]));
  const aliases = { "backhand-index-pointing-right": { parent: "backhand-index-pointing-left", hFlip: true } };
  await writeFile(join(dir, "icons.json"), JSON.stringify({ prefix: name, icons, aliases, width: 16, height: 16 }));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: `@iconify-json/${name}`, version: "0.0.1" }));
  return modules;
}
