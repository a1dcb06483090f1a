import { test } from "node:test";
import assert from "node:assert/strict";
import { indexIconSet, keyFromHexcode, keyFromIconName, loadEmojibase, loadIconSet, moduleDirs, resolveIcon } from "../../src/demo/data/index.js";
import { fakeIconSet, tempDir } from "./data_fixtures.js";

const STYLES = ["twemoji", "noto", "openmoji", "fluent-emoji-flat"];

test("code point keys: variation selectors dropped, ZWJ/keycaps kept, codepoint names read, words never", () => {
  assert.equal(keyFromHexcode("2764-FE0F"), "2764");
  assert.equal(keyFromHexcode("0023-FE0F-20E3"), "23-20e3");
  assert.equal(keyFromHexcode("1F636-200D-1F32B-FE0F"), "1f636-200d-1f32b");
  assert.equal(keyFromHexcode("1f636-200d-1f32b"), "1f636-200d-1f32b");
  assert.equal(keyFromIconName("1f600"), "1f600");
  assert.equal(keyFromIconName("u1f600"), "1f600");
  assert.equal(keyFromIconName("emoji_u1f636_200d_1f32b"), "1f636-200d-1f32b");
  assert.equal(keyFromIconName("emoji-u2764-fe0f"), "2764");
  for (const word of ["0", "9", "face", "add", "bad", "cafe", "a-button"]) assert.equal(keyFromIconName(word), undefined, word);
});

test("the four installed emoji sets draw the same emoji, found through chars.json, ZWJ and aliases included", async () => {
  const dirs = moduleDirs();
  const catalogue = await loadEmojibase(dirs);
  const indexes = await Promise.all(STYLES.map(async (s) => indexIconSet(await loadIconSet(s, dirs), catalogue)));
  // grinning face, red heart (FE0F in emojibase), keycap *, woman facepalming (ZWJ), rainbow flag (ZWJ), artist
  const probes = ["1f600", "2764", "2a-20e3", "1f926-200d-2640", "1f3f3-200d-1f308", "1f9d1-200d-1f3a8"];
  for (const idx of indexes) {
    for (const key of probes) {
      const m = idx.byKey.get(key);
      assert.ok(m, `${idx.set.name} draws ${key}`);
      assert.ok(resolveIcon(idx.set, m.icon), `${idx.set.name}:${m.icon} resolves`);
    }
    assert.equal(idx.byKey.get("1f600")!.icon, "grinning-face");
    // skin-tone variants are not emoji of their own by default
    assert.equal(idx.byKey.get("1f44d-1f3fb"), undefined);
  }
  const common = [...catalogue.entries.keys()].filter((k) => indexes.every((i) => i.byKey.has(k)));
  // the count measured with these package versions (README.md explains it); a change means the packages moved
  assert.equal(common.length, 1595);
  assert.equal(catalogue.entries.get("1f600")!.name, "grinning face");
  assert.equal(catalogue.entries.get("1f600")!.subgroup, "face-smiling");
  assert.equal(catalogue.entries.get("1f554")!.name, "five o'clock");
  // fluent's chars.json lacks U+1F449; its icon name finds it, an alias mirrored from the left-pointing hand
  const fluent = indexes[3]!;
  assert.deepEqual(fluent.byKey.get("1f449"), { key: "1f449", icon: "backhand-index-pointing-right", via: "label-name" });
  assert.equal(resolveIcon(fluent.set, "backhand-index-pointing-right")!.hFlip, true);
});

test("skin tones join as emoji of their own when asked", async () => {
  const dirs = moduleDirs();
  const catalogue = await loadEmojibase(dirs, { includeSkinTones: true });
  const light = catalogue.entries.get("1f44d-1f3fb")!;
  assert.equal(light.name, "thumbs up: light skin tone");
  assert.equal(light.skinOf, "1f44d");
  for (const s of STYLES) assert.ok(indexIconSet(await loadIconSet(s, dirs), catalogue).byKey.has("1f44d-1f3fb"), s);
});

test("a set without chars.json joins by codepoint names and label slugs; extra icons stay out", async (t) => {
  const modules = await fakeIconSet(await tempDir(t));
  const dirs = moduleDirs([modules]);
  const idx = indexIconSet(await loadIconSet("fake-emoji", dirs), await loadEmojibase(dirs));
  const got = Object.fromEntries([...idx.byKey.values()].map((m) => [m.icon, [m.key, m.via]]));
  assert.deepEqual(got, {
    "1f600": ["1f600", "codepoint-name"],
    "1f602": ["1f602", "codepoint-name"],
    "1f603": ["1f603", "codepoint-name"],
    emoji_u2764: ["2764", "codepoint-name"],
    "face-in-clouds": ["1f636-200d-1f32b", "label-name"],
    "backhand-index-pointing-left": ["1f448", "label-name"],
    "backhand-index-pointing-right": ["1f449", "label-name"],
  });
  assert.equal(idx.stats.unmatchedIcons, 1); // company-logo
});
