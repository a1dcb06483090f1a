/** The options and the result of `prepareDemoData`. */
import type { Background } from "./background.js";
import type { JoinStats } from "./join.js";
import type { RenderFailure } from "./render.js";
import type { EvalSetFiles } from "./write_eval.js";

export interface DemoDataOptions {
  /** Holds `cache/` (renders, kept across runs) and `dataset/` (rewritten by every run). */
  workDir: string;
  /** `@iconify-json` set names whose renders form the training set. */
  trainStyles: string[];
  /** `@iconify-json` set names held out for zero-shot evaluation (none may also be a training style). */
  evalStyles: string[];
  /** Square image side in pixels. Default 32. */
  size?: number;
  /** Picks the `maxEmoji` subset and `random` backgrounds. Default 0. */
  seed?: number;
  /** Keep a seeded random subset of this many emoji (tests, quick runs). Default: all. */
  maxEmoji?: number;
  /** `white` (default), `random` (a seeded colour per image) or `#rrggbb`. */
  background?: Background;
  /** Captions get emojibase's tags after the name. Default false. */
  captionKeywords?: boolean;
  /** Also index the skin-tone variants as emoji of their own. Default false. */
  includeSkinTones?: boolean;
  /** Keep emoji that an eval style draws identically to another emoji. Default false. */
  keepDuplicateGlyphs?: boolean;
  /** Renders in flight at once. Default 4 (libuv's default thread pool size). */
  concurrency?: number;
  /** node_modules folders searched before the project's own (for sets installed elsewhere). */
  moduleDirs?: string[];
  /** Summary and skip lines; default stderr. */
  log?: (line: string) => void;
}

export type EvalTask = "name" | "subgroup";

export interface DemoEvalSet extends EvalSetFiles {
  style: string;
  task: EvalTask;
}

export interface StyleCounts {
  version: string;
  icons: number;
  aliases: number;
  /** Catalogue emoji this set draws. */
  matched: number;
  via: JoinStats["via"];
  unmatchedIcons: number;
}

export interface DemoDataCounts {
  catalogue: number;
  styles: Record<string, StyleCounts>;
  /** Emoji every chosen style draws. */
  inAllStyles: number;
  droppedDuplicateEval: number;
  duplicateTrainGlyphs: number;
  droppedRenderFailures: number;
  /** Emoji in the dataset. */
  emoji: number;
  trainImages: number;
  evalImages: number;
  rendered: number;
  cached: number;
  failed: number;
  subgroups: number;
}

export interface PreparedDemoData {
  /** The dataset folder (`<workDir>/dataset`). */
  dir: string;
  /** LaCLIP CSV, no header: `images/<style>/<key>.png,<caption>` rows, paths relative to its folder. */
  trainCsv: string;
  templatesFile: string;
  templates: string[];
  manifestFile: string;
  /** Keyed `<style>/<task>`, e.g. `fluent-emoji-flat/name`. */
  evalSets: Record<string, DemoEvalSet>;
  classNames: Record<EvalTask, string[]>;
  counts: DemoDataCounts;
  failures: RenderFailure[];
  seconds: number;
}
