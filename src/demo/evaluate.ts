/**
 * Step 5 of the demo: zero-shot classification of the held-out style(s) with a trained model, and the chance
 * levels that make the accuracies readable.
 *
 * - name: which of all the demo's emoji names a picture shows (each name has one picture per style);
 * - subgroup: which emojibase subgroup ("face smiling", "animal mammal", ...) it belongs to.
 * Each class is scored with the templates of the dataset (`"an emoji of {}."`, ...), averaged as CLIP does.
 */
import { clipEvalInputs, openZeroShotTask, zeroShotEval } from "../eval/index.js";
import { loadClipCheckpoint } from "../models/clip/index.js";
import type { ClipTokenizer } from "../tokenizer/index.js";
import type { DemoEvalSet, PreparedDemoData } from "./data/index.js";

/** Accuracies as fractions of 1. */
export interface TaskScore {
  acc1: number;
  acc5: number | null;
}

export interface TaskChance {
  classes: number;
  images: number;
  /** Expected accuracy of a uniformly random guess. */
  acc1: number;
  acc5: number | null;
  /** Always answering the largest class. */
  majority_acc1: number;
}

/** Fractions of 1 (the unit of `laclip eval` and the training logs), to 4 decimals. */
const fraction = (x: number): number => Math.round(x * 1e4) / 1e4;

export function chanceOf(labels: readonly number[], classes: number): TaskChance {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const largest = Math.max(0, ...counts.values());
  return {
    classes, images: labels.length, acc1: fraction(1 / classes), acc5: classes >= 5 ? fraction(5 / classes) : null,
    majority_acc1: fraction(largest / Math.max(1, labels.length)),
  };
}

async function openTask(set: DemoEvalSet, templatesFile: string) {
  return openZeroShotTask({ images: set.images, classes: set.classNamesFile, templates: templatesFile });
}

/** Chance levels of every evaluation set, keyed like `PreparedDemoData.evalSets` (`<style>/<task>`). */
export async function chanceLevels(data: PreparedDemoData): Promise<Record<string, TaskChance>> {
  const out: Record<string, TaskChance> = {};
  for (const [key, set] of Object.entries(data.evalSets)) {
    const task = await openTask(set, data.templatesFile);
    out[key] = chanceOf(task.set.samples.map((s) => s.label), task.set.classes.length);
  }
  return out;
}

export async function evaluateCheckpoint(checkpoint: string, data: PreparedDemoData, tokenizer: ClipTokenizer, bf16: boolean): Promise<Record<string, TaskScore>> {
  const { model } = await loadClipCheckpoint(checkpoint);
  try {
    const out: Record<string, TaskScore> = {};
    for (const [key, set] of Object.entries(data.evalSets)) {
      const task = await openTask(set, data.templatesFile);
      const report = await zeroShotEval(model, task.set, { ...clipEvalInputs(model.config), tokenizer, templates: task.templates.templates, bf16 });
      out[key] = { acc1: fraction(report.acc1), acc5: report.acc5 === null ? null : fraction(report.acc5) };
    }
    return out;
  } finally {
    model.dispose();
  }
}
