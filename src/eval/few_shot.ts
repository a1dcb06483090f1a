/**
 * N-way K-shot episodes with a nearest-class-mean classifier on L2-normalised features (the few-shot protocol
 * of the LaCLIP paper's few-shot table): each episode draws N classes among those with at least K + Q rows, then
 * K support and Q query rows of each, all distinct; a query goes to the class whose support mean has the highest
 * cosine similarity (ties to the class drawn first). Reported: the mean episode accuracy and the half-width of
 * its 95% confidence interval, 1.96 x std / sqrt(episodes) (std over episodes, population form). Episode e
 * draws from its own stream deriveSeed(seed, "few-shot", e), so it does not depend on the episodes before it.
 *
 *   const r = fewShotEpisodes(features, { ways: 5, shots: 5 });
 *   r.metrics.fewshot_acc, r.metrics.fewshot_ci95
 */
import { LaclipError } from "../errors/laclip_error.js";
import { Rng, deriveSeed } from "../util/rng.js";
import { checkLabelled, classCount, normalisedCopy, type LabelledFeatures } from "./features.js";

export interface FewShotOptions {
  /** Classes per episode (N). Default 5. */
  ways?: number;
  /** Support rows per class (K). Default 5. */
  shots?: number;
  /** Query rows per class. Default 15. */
  queries?: number;
  /** Episodes averaged. Default 600. */
  episodes?: number;
  /** Seeds every draw. Default 0. */
  seed?: number;
}

/** One episode's draw: classes in draw order, and per class its support and query row indices. */
export interface Episode {
  classes: number[];
  support: number[][];
  query: number[][];
}

export interface FewShotMetrics {
  /** Mean episode accuracy (0..1). */
  fewshot_acc: number;
  /** Half-width of the 95% confidence interval of that mean. */
  fewshot_ci95: number;
  ways: number;
  shots: number;
  queries: number;
  episodes: number;
  seed: number;
}

export interface FewShotResult {
  metrics: FewShotMetrics;
  /** Accuracy of each episode, in order. */
  accuracies: Float64Array;
  /** Classes with enough rows to be drawn. */
  eligibleClasses: number;
}

function settings(o: FewShotOptions): Required<FewShotOptions> {
  const s = { ways: o.ways ?? 5, shots: o.shots ?? 5, queries: o.queries ?? 15, episodes: o.episodes ?? 600, seed: o.seed ?? 0 };
  for (const key of ["ways", "shots", "queries", "episodes"] as const) {
    if (!(Number.isInteger(s[key]) && s[key] >= 1)) throw new LaclipError(`few-shot ${key} must be a positive integer, got ${s[key]}`);
  }
  return s;
}

/** Row indices of each class, ascending, for the classes with at least `need` rows. */
function eligible(labels: ArrayLike<number>, need: number): Map<number, number[]> {
  const by = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = by.get(labels[i]!) ?? [];
    list.push(i);
    by.set(labels[i]!, list);
  }
  return new Map([...by].filter(([, rows]) => rows.length >= need).sort(([a], [b]) => a - b));
}

/** The draw of episode `e` (what fewShotEpisodes evaluates). */
export function fewShotEpisode(labels: ArrayLike<number>, e: number, o: FewShotOptions = {}): Episode {
  return drawEpisode(eligible(labels, settings(o).shots + settings(o).queries), e, settings(o));
}

function drawEpisode(pool: Map<number, number[]>, e: number, s: Required<FewShotOptions>): Episode {
  if (pool.size < s.ways) throw new LaclipError(`few-shot: ${s.ways}-way episodes need ${s.ways} classes with at least ${s.shots + s.queries} samples (shots + queries); only ${pool.size} have that many. Lower --fewshot-ways, --fewshot-shots or --fewshot-queries`);
  const rng = new Rng(deriveSeed(s.seed, "few-shot", e));
  const classes = rng.sample([...pool.keys()], s.ways);
  const support: number[][] = [];
  const query: number[][] = [];
  for (const c of classes) {
    const rows = rng.sample(pool.get(c)!, s.shots + s.queries);
    support.push(rows.slice(0, s.shots));
    query.push(rows.slice(s.shots));
  }
  return { classes, support, query };
}

/** Fraction of the episode's queries whose nearest normalised support mean is their own class's. */
function episodeAccuracy(x: Float32Array, dim: number, ep: Episode): number {
  const protos = ep.support.map((rows) => {
    const p = new Float64Array(dim);
    for (const r of rows) for (let d = 0; d < dim; d++) p[d]! += x[r * dim + d]!;
    const n = Math.max(Math.sqrt(p.reduce((s, v) => s + v * v, 0)), 1e-12);
    return p.map((v) => v / n);
  });
  let hits = 0;
  let total = 0;
  ep.query.forEach((rows, truth) => {
    for (const r of rows) {
      let best = 0;
      let bestScore = -Infinity;
      protos.forEach((p, w) => {
        let s = 0;
        for (let d = 0; d < dim; d++) s += p[d]! * x[r * dim + d]!;
        if (s > bestScore) [best, bestScore] = [w, s];
      });
      if (best === truth) hits++;
      total++;
    }
  });
  return hits / total;
}

export function fewShotEpisodes(features: LabelledFeatures, o: FewShotOptions = {}): FewShotResult {
  const s = settings(o);
  checkLabelled(features, classCount(features), "few-shot features");
  const x = normalisedCopy(features);
  const pool = eligible(features.labels, s.shots + s.queries);
  const accuracies = new Float64Array(s.episodes);
  for (let e = 0; e < s.episodes; e++) accuracies[e] = episodeAccuracy(x, features.dim, drawEpisode(pool, e, s));
  const mean = accuracies.reduce((a, v) => a + v, 0) / s.episodes;
  const std = Math.sqrt(accuracies.reduce((a, v) => a + (v - mean) ** 2, 0) / s.episodes);
  return {
    metrics: { fewshot_acc: mean, fewshot_ci95: (1.96 * std) / Math.sqrt(s.episodes), ...s },
    accuracies,
    eligibleClasses: pool.size,
  };
}
