/**
 * Writes the dataset folder from finished renders: `images/<style>/<key>.png` (links to the cache), the training
 * CSV, one name and one subgroup evaluation set per eval style, `templates.json` and `manifest.json`. It is built
 * beside the old one and swapped in at the end, so a killed run leaves the previous dataset whole; a folder
 * named `dataset` that this code did not write is never deleted.
 */
import { existsSync } from "node:fs";
import { readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../../errors/config_error.js";
import { caption, humaniseSubgroup } from "./captions.js";
import { csvLine } from "./csv_write.js";
import type { EmojiEntry } from "./emojibase.js";
import { linkOrCopy } from "./link_file.js";
import { mapLimit } from "./map_limit.js";
import type { DemoDataSettings } from "./options.js";
import { DEMO_TEMPLATES } from "./templates.js";
import type { DemoEvalSet, EvalTask } from "./types.js";
import { evalSetPaths, writeEvalSet, type EvalImage } from "./write_eval.js";

const MARKER = "laclip-demo-data";

export interface DatasetInput {
  settings: DemoDataSettings;
  emoji: EmojiEntry[];
  /** style -> emoji key -> rendered file, for every selected emoji and style. */
  renders: Map<string, Map<string, string>>;
  /** style -> emoji key -> icon name used (for the manifest). */
  icons: Map<string, Map<string, string>>;
  versions: Record<string, string>;
}

export interface DatasetFiles {
  dir: string;
  trainCsv: string;
  templatesFile: string;
  manifestFile: string;
  evalSets: Record<string, DemoEvalSet>;
  classNames: Record<EvalTask, string[]>;
  trainImages: number;
}

/** Refuses a workDir whose `dataset` folder is someone else's (called before any work, and again before the swap). */
export function checkDatasetDir(workDir: string): string {
  const final = join(workDir, "dataset");
  if (existsSync(final) && !existsSync(join(final, "manifest.json"))) {
    throw new ConfigError(`${final} exists but was not written by the demo's data preparation; choose another workDir or remove it`, "workDir");
  }
  return final;
}

export async function writeDataset(input: DatasetInput, counts: object): Promise<DatasetFiles> {
  const { settings, emoji } = input;
  const final = checkDatasetDir(settings.workDir);
  for (const e of await readdir(settings.workDir)) if (e.startsWith("dataset.tmp-")) await rm(join(settings.workDir, e), { recursive: true, force: true });
  const dir = join(settings.workDir, `dataset.tmp-${process.pid}`);

  const styles = [...settings.trainStyles, ...settings.evalStyles];
  const imagePath = (style: string, key: string) => `images/${style}/${key}.png`;
  await mapLimit(styles.flatMap((s) => emoji.map((e) => [s, e.key] as const)), 16, ([s, k]) =>
    linkOrCopy(input.renders.get(s)!.get(k)!, join(dir, imagePath(s, k))),
  );

  const rows = settings.trainStyles.flatMap((s) => emoji.map((e) => csvLine([imagePath(s, e.key), caption(e, { keywords: settings.captionKeywords })])));
  await writeFile(join(dir, "train.csv"), rows.join(""));

  const classNames: Record<EvalTask, string[]> = {
    name: emoji.map((e) => e.name),
    subgroup: [...new Set(emoji.map((e) => humaniseSubgroup(e.subgroup)))],
  };
  const index = (names: string[]) => new Map(names.map((n, i) => [n, i]));
  const nameIndex = index(classNames.name);
  const subgroupIndex = index(classNames.subgroup);
  const labelOf: Record<EvalTask, (e: EmojiEntry) => number> = {
    name: (e) => nameIndex.get(e.name)!,
    subgroup: (e) => subgroupIndex.get(humaniseSubgroup(e.subgroup))!,
  };
  const evalSets: Record<string, DemoEvalSet> = {};
  for (const style of settings.evalStyles) {
    for (const task of ["name", "subgroup"] as const) {
      const images: EvalImage[] = emoji.map((e) => ({ source: input.renders.get(style)!.get(e.key)!, fileName: `${e.key}.png`, label: labelOf[task](e) }));
      const where = join("eval", style, task);
      const stats = await writeEvalSet(join(dir, where), classNames[task], images);
      evalSets[`${style}/${task}`] = { ...evalSetPaths(join(final, where)), ...stats, classNames: classNames[task], style, task };
    }
  }

  await writeFile(join(dir, "templates.json"), JSON.stringify(DEMO_TEMPLATES, null, 1) + "\n");
  const manifest = {
    kind: MARKER,
    settings: { ...settings, workDir: undefined },
    packages: input.versions,
    counts,
    emoji: emoji.map((e) => ({
      key: e.key,
      emoji: e.emoji,
      name: e.name,
      group: e.group,
      subgroup: e.subgroup,
      tags: e.tags,
      icons: Object.fromEntries(styles.map((s) => [s, input.icons.get(s)!.get(e.key)!])),
    })),
  };
  await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");

  await rm(final, { recursive: true, force: true });
  await rename(dir, final);
  return {
    dir: final,
    trainCsv: join(final, "train.csv"),
    templatesFile: join(final, "templates.json"),
    manifestFile: join(final, "manifest.json"),
    evalSets,
    classNames,
    trainImages: rows.length,
  };
}
