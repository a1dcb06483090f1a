/**
 * The demo's dataset from installed packages only: emoji drawn by every chosen `@iconify-json` style, joined
 * with emojibase for names, groups and tags, rendered with sharp (cached), written as a LaCLIP training CSV plus
 * held-out zero-shot sets (exact name among all names; subgroup). Deterministic for a seed: the files' bytes
 * depend only on the options and the installed package versions. See README.md in this folder.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { backgroundColour } from "./background.js";
import { loadEmojibase } from "./emojibase.js";
import { loadIconSet } from "./icon_set.js";
import { indexIconSet, type SetIndex } from "./join.js";
import { demoDataSettings } from "./options.js";
import { moduleDirs } from "./packages.js";
import { renderAll, type RenderJob } from "./render.js";
import { selectEmoji } from "./select.js";
import { summaryLines } from "./summary.js";
import { DEMO_TEMPLATES } from "./templates.js";
import type { DemoDataCounts, DemoDataOptions, PreparedDemoData, StyleCounts } from "./types.js";
import { checkDatasetDir, writeDataset } from "./write_dataset.js";

export async function prepareDemoData(options: DemoDataOptions): Promise<PreparedDemoData> {
  const started = performance.now();
  const settings = demoDataSettings(options);
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const dirs = moduleDirs(options.moduleDirs);
  const styles = [...settings.trainStyles, ...settings.evalStyles];

  const sets = await Promise.all(styles.map((s) => loadIconSet(s, dirs))); // unknown style: ConfigError first
  checkDatasetDir(settings.workDir);
  const catalogue = await loadEmojibase(dirs, { includeSkinTones: settings.includeSkinTones });
  const indexes = new Map<string, SetIndex>(sets.map((set) => [set.name, indexIconSet(set, catalogue)]));
  const selection = selectEmoji(catalogue, {
    train: settings.trainStyles.map((s) => indexes.get(s)!),
    eval: settings.evalStyles.map((s) => indexes.get(s)!),
    seed: settings.seed,
    maxEmoji: settings.maxEmoji,
    keepDuplicateGlyphs: settings.keepDuplicateGlyphs,
  });

  const jobs: (RenderJob & { style: string; key: string })[] = styles.flatMap((style) =>
    selection.emoji.map((e) => ({
      style,
      key: e.key,
      set: indexes.get(style)!.set,
      icon: indexes.get(style)!.byKey.get(e.key)!.icon,
      background: backgroundColour(settings.background, settings.seed, style, e.key),
    })),
  );
  await mkdir(settings.workDir, { recursive: true });
  const report = await renderAll(jobs, { cacheDir: join(settings.workDir, "cache", "render"), size: settings.size, concurrency: settings.concurrency, log });

  // an emoji missing a picture in any style leaves the dataset whole: in training it would lose a style, at
  // evaluation it would be a class without an image
  const broken = new Set(jobs.filter((_, i) => report.files[i] === undefined).map((j) => j.key));
  const seen = new Set<string>();
  const emoji = selection.emoji.filter((e) => {
    if (broken.has(e.key)) return false;
    if (seen.has(e.name)) {
      log(`skipped ${e.key}: its name '${e.name}' is already another emoji's`);
      return false;
    }
    seen.add(e.name);
    return true;
  });
  const renders = new Map(styles.map((s) => [s, new Map<string, string>()]));
  const icons = new Map(styles.map((s) => [s, new Map<string, string>()]));
  jobs.forEach((j, i) => {
    if (report.files[i] !== undefined) renders.get(j.style)!.set(j.key, report.files[i]!);
    icons.get(j.style)!.set(j.key, j.icon);
  });

  const styleCounts: Record<string, StyleCounts> = {};
  for (const set of sets) {
    const st = indexes.get(set.name)!.stats;
    styleCounts[set.name] = { version: set.version, icons: st.icons, aliases: st.aliases, matched: st.matched, via: st.via, unmatchedIcons: st.unmatchedIcons };
  }
  const stable = {
    catalogue: catalogue.entries.size,
    styles: styleCounts,
    inAllStyles: selection.inAllStyles,
    droppedDuplicateEval: selection.duplicateEval.reduce((n, g) => n + g.names.length, 0),
    duplicateTrainGlyphs: selection.duplicateTrain,
    droppedRenderFailures: broken.size,
    emoji: emoji.length,
    trainImages: emoji.length * settings.trainStyles.length,
    evalImages: emoji.length * settings.evalStyles.length,
    failed: report.failures.length,
    subgroups: new Set(emoji.map((e) => e.subgroup)).size,
  };
  const versions = { "emojibase-data": catalogue.version, ...Object.fromEntries(sets.map((s) => [`@iconify-json/${s.name}`, s.version])) };
  const files = await writeDataset({ settings, emoji, renders, icons, versions }, { ...stable, duplicateEvalGroups: selection.duplicateEval });
  const counts: DemoDataCounts = { ...stable, rendered: report.rendered, cached: report.cached };
  const result: PreparedDemoData = {
    dir: files.dir,
    trainCsv: files.trainCsv,
    templatesFile: files.templatesFile,
    templates: [...DEMO_TEMPLATES],
    manifestFile: files.manifestFile,
    evalSets: files.evalSets,
    classNames: files.classNames,
    counts,
    failures: report.failures,
    seconds: (performance.now() - started) / 1000,
  };
  for (const line of summaryLines(settings, result)) log(line);
  return result;
}
