/**
 * Shard patterns as WebDataset users write them: `data/{00000..00012}.tar` (numeric range, zero-padded to the
 * wider endpoint when either endpoint has a leading zero; optional step `{0..10..2}`), `{a,b,c}` lists, several
 * braces (expanded left to right, so the last varies fastest), nesting, and several patterns joined by `::`.
 */
import { ConfigError } from "../../errors/config_error.js";

export function expandShards(patterns: string | string[], key = "data.train"): string[] {
  const list = (Array.isArray(patterns) ? patterns : [patterns]).flatMap((p) => p.split("::")).filter((p) => p !== "");
  return list.flatMap((p) => expandBraces(p, key));
}

export function expandBraces(pattern: string, key = "data.train"): string[] {
  const open = pattern.indexOf("{");
  if (open < 0) {
    if (pattern.includes("}")) throw new ConfigError(`'}' without '{' in shard pattern '${pattern}'`, key);
    return [pattern];
  }
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      close = i;
      break;
    } else if (c === "," && depth === 1) commas.push(i);
  }
  if (close < 0) throw new ConfigError(`unclosed '{' in shard pattern '${pattern}'`, key);
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const body = pattern.slice(open + 1, close);
  let alternatives: string[];
  if (commas.length > 0) {
    const cuts = [open, ...commas, close];
    alternatives = cuts.slice(1).map((c, k) => pattern.slice(cuts[k]! + 1, c)).flatMap((a) => expandBraces(a, key));
  } else {
    alternatives = expandRange(body, pattern, key);
  }
  const rest = expandBraces(tail, key);
  return alternatives.flatMap((a) => rest.map((r) => head + a + r));
}

function expandRange(body: string, pattern: string, key: string): string[] {
  const m = /^(-?\d+)\.\.(-?\d+)(?:\.\.(\d+))?$/.exec(body);
  if (!m) throw new ConfigError(`'{${body}}' in '${pattern}' is neither a list {a,b} nor a range {000..123}`, key);
  const [lo, hi] = [m[1]!, m[2]!];
  const step = m[3] ? Number(m[3]) : 1;
  if (step < 1) throw new ConfigError(`range step must be at least 1 in '${pattern}'`, key);
  const a = Number(lo);
  const b = Number(hi);
  const padded = /^-?0\d/.test(lo) || /^-?0\d/.test(hi);
  const width = padded ? Math.max(lo.replace("-", "").length, hi.replace("-", "").length) : 0;
  const count = Math.floor(Math.abs(b - a) / step) + 1;
  if (count > 10_000_000) throw new ConfigError(`range '{${body}}' expands to ${count} names`, key);
  const dir = b >= a ? 1 : -1;
  return Array.from({ length: count }, (_, i) => {
    const v = a + dir * i * step;
    const digits = String(Math.abs(v)).padStart(width, "0");
    return v < 0 ? `-${digits}` : digits;
  });
}
