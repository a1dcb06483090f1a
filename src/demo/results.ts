/**
 * The demo's per-task summary: each method's per-seed values (seeds in the order run), their mean with a 95% t
 * interval over seeds, and the paired difference LaCLIP - CLIP per seed with its 95% t interval (paired_interval.ts).
 */
import { pairedInterval, tInterval } from "./paired_interval.js";
import type { TaskChance } from "./evaluate.js";

export interface TaskResult {
  /** Percent per seed, in the order of `settings.seeds`. */
  per_seed: Record<string, number[]>;
  mean: Record<string, number>;
  /** 95% t interval of each method's mean over seeds; null with one seed. */
  ci95: Record<string, [number, number] | null>;
  /** LaCLIP - CLIP: per seed, the mean, and its 95% t interval over seeds; null unless both methods ran. */
  diff: { per_seed: number[]; mean: number; ci95: [number, number] | null } | null;
  /** The task's chance level (a uniform guess), when it has one. */
  chance: number | null;
}

const r3 = (x: number): number => Math.round(x * 1e5) / 1e5;

/** The chance level of a task key `<style>/<task>/<kind>/<metric>` from the per-set chance levels. */
export function chanceFor(key: string, chance: Record<string, TaskChance>): number | null {
  const parts = key.split("/");
  const c = chance[parts.slice(0, -2).join("/")];
  const metric = parts[parts.length - 1];
  const ways = /^fewshot_(\d+)way/.exec(parts[parts.length - 2] ?? "");
  if (ways !== null) return Math.round(10000 / Number(ways[1])) / 10000;
  if (c === undefined) return null;
  if (metric === "acc1" || metric === "r1") return c.acc1;
  if (metric === "acc5" || metric === "r5") return c.acc5;
  return null;
}

/**
 * `scores[method][seedIndex][taskKey]` (fractions of 1) -> one TaskResult per task key, keys in the order of the first
 * method's first seed. Every method and seed must have scored every task.
 */
export function summariseTasks(scores: Partial<Record<string, Record<string, number>[]>>, chance: Record<string, TaskChance>): Record<string, TaskResult> {
  const methods = Object.keys(scores);
  const first = scores[methods[0]!]?.[0];
  if (first === undefined) return {};
  const out: Record<string, TaskResult> = {};
  for (const key of Object.keys(first)) {
    const per_seed: Record<string, number[]> = {};
    const mean: Record<string, number> = {};
    const ci95: Record<string, [number, number] | null> = {};
    for (const m of methods) {
      const xs = scores[m]!.map((s, i) => {
        const v = s[key];
        if (v === undefined) throw new RangeError(`method ${m}, seed #${i} has no score for ${key}`);
        return v;
      });
      per_seed[m] = xs;
      const ti = tInterval(xs);
      mean[m] = r3(ti.mean);
      ci95[m] = ti.lo === null ? null : [r3(ti.lo), r3(ti.hi!)];
    }
    let diff: TaskResult["diff"] = null;
    if (per_seed.clip !== undefined && per_seed.laclip !== undefined) {
      const p = pairedInterval(per_seed.clip, per_seed.laclip);
      diff = { per_seed: p.diffs.map(r3), mean: r3(p.mean), ci95: p.lo === null ? null : [r3(p.lo), r3(p.hi!)] };
    }
    out[key] = { per_seed, mean, ci95, diff, chance: chanceFor(key, chance) };
  }
  return out;
}
